/*
 * StallFs - a tiny FUSE filesystem that behaves like a stalled network mount.
 *
 * Test fixture for "a stalled network mount must not hang check/load".
 * It shows one flat folder with two fake WAV files:
 *
 *   01_Stall.wav  1 MiB, mode 0444. Depending on --stall, one operation on it
 *                 never answers (like a hard NFS mount whose server went away).
 *   02_Slow.wav   1 MiB, mode 0444. Always works, but every read() takes 250 ms.
 *
 * Both files hold a valid WAV header (16-bit stereo 44.1 kHz) followed by silence.
 *
 * --stall=read  (default) stat/open answer at once, read() of 01_Stall.wav hangs.
 * --stall=open  stat answers, open() of 01_Stall.wav hangs.
 * --stall=stat  stat()/open() (the kernel LOOKUP) of 01_Stall.wav hangs;
 *               listing the folder (readdir without stat) still works.
 * --stall=list  opendir()/readdir() of the mount's root folder hangs.
 *
 * A stalled request only ends when this daemon shuts down (SIGTERM/SIGINT,
 * unmount, or the kernel connection is aborted); then it is answered with EIO.
 * Stalled handlers poll for shutdown once a second, so the daemon exits cleanly.
 *
 * Build: gcc -Wall -O2 -o StallFs StallFs.c $(pkg-config --cflags --libs fuse3)
 * Run:   StallFs [--stall=MODE] MOUNTDIR     (always runs in the foreground)
 * Keep it multi-threaded (do not pass -s): with one thread, a single stalled
 * request would block every other request on the mount too.
 */
#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <fuse_lowlevel.h> /* fuse_session_exited() */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FILE_SIZE (1024 * 1024)
static const char *stallName = "01_Stall.wav";
static const char *slowName = "02_Slow.wav";

static struct { char *stall; } opts; /* filled from --stall=MODE */
static const struct fuse_opt optSpec[] = {
    { "--stall=%s", offsetof(typeof(opts), stall), 1 },
    FUSE_OPT_END
};

static int stallMode(const char *mode) { return strcmp(opts.stall, mode) == 0; }
static int isStallFile(const char *path) { return strcmp(path + 1, stallName) == 0; }

/* Never answer: sleep until the daemon is shutting down, then fail with EIO. */
static int stallForever(void)
{
    struct fuse_session *se = fuse_get_session(fuse_get_context()->fuse);
    while (!fuse_session_exited(se))
        sleep(1);
    return -EIO;
}

static int fsGetattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    if (strcmp(path, "/") == 0) {
        st->st_mode = S_IFDIR | 0555;
        st->st_nlink = 2;
        return 0;
    }
    if (!isStallFile(path) && strcmp(path + 1, slowName) != 0)
        return -ENOENT;
    if (isStallFile(path) && stallMode("stat"))
        return stallForever();
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    st->st_size = FILE_SIZE;
    return 0;
}

static int fsReaddir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                     struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)off; (void)fi; (void)flags;
    if (strcmp(path, "/") != 0)
        return -ENOENT;
    if (stallMode("list"))
        return stallForever();
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    fill(buf, stallName, NULL, 0, 0);
    fill(buf, slowName, NULL, 0, 0);
    return 0;
}

static int fsOpen(const char *path, struct fuse_file_info *fi)
{
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        return -EACCES;
    /* Keep the page cache across opens. Without this the kernel drops the
     * file's cached pages on every open() and, while a stalled read holds a
     * page locked, a second open() of 01_Stall.wav would hang unkillably. */
    fi->keep_cache = 1;
    if (isStallFile(path) && stallMode("open"))
        return stallForever();
    return 0;
}

/* Little-endian helpers for the WAV header. */
static void put16(unsigned char *p, unsigned v) { p[0] = v; p[1] = v >> 8; }
static void put32(unsigned char *p, uint32_t v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

static int fsRead(const char *path, char *buf, size_t size, off_t off,
                  struct fuse_file_info *fi)
{
    (void)fi;
    if (isStallFile(path) && stallMode("read"))
        return stallForever();
    if (!isStallFile(path))
        usleep(250 * 1000); /* 02_Slow.wav: slow but working */

    if (off >= FILE_SIZE)
        return 0;
    if (off + (off_t)size > FILE_SIZE)
        size = FILE_SIZE - off;

    /* 44-byte PCM WAV header, then silence. */
    unsigned char h[44];
    memcpy(h, "RIFF", 4);     put32(h + 4, FILE_SIZE - 8);
    memcpy(h + 8, "WAVEfmt ", 8); put32(h + 16, 16);
    put16(h + 20, 1);          put16(h + 22, 2);          /* PCM, 2 channels */
    put32(h + 24, 44100);      put32(h + 28, 44100 * 4);  /* rate, bytes/s   */
    put16(h + 32, 4);          put16(h + 34, 16);         /* align, bits     */
    memcpy(h + 36, "data", 4); put32(h + 40, FILE_SIZE - 44);

    memset(buf, 0, size);
    for (size_t i = 0; i < size && off + (off_t)i < 44; i++)
        buf[i] = h[off + i];
    return (int)size;
}

static const struct fuse_operations ops = {
    .getattr = fsGetattr,
    .readdir = fsReaddir,
    .open = fsOpen,
    .read = fsRead,
};

int main(int argc, char *argv[])
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    opts.stall = strdup("read");
    if (fuse_opt_parse(&args, &opts, optSpec, NULL) == -1)
        return 1;
    if (!stallMode("read") && !stallMode("open") && !stallMode("stat") && !stallMode("list")) {
        fprintf(stderr, "StallFs: --stall must be read, open, stat or list\n");
        return 1;
    }
    fuse_opt_add_arg(&args, "-f"); /* stay in the foreground so tests can kill us */
    int ret = fuse_main(args.argc, args.argv, &ops, NULL);
    fuse_opt_free_args(&args);
    return ret;
}
