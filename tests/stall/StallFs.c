/*
 * StallFs - a FUSE filesystem that behaves like a network share whose server went away: one
 * operation on its file never answers, as on a hard NFS mount. The test fixture for "a stalled
 * mount must not hang check, the preflight, the GUI's waveforms, a load or the disk thread"
 * (tests/stall/stall_test.sh).
 *
 * It shows one flat folder with one file, 01_Stall.wav: 4 MiB, a PCM WAV (16-bit stereo
 * 44.1 kHz, 23.8 s) holding a 440 Hz tone at -12 dBFS. With --stall=MODE:
 *   read  every read() of it hangs (stat and open answer at once);
 *   late  reads that reach past its first MiB (5.9 s of audio) hang: a file that plays, then
 *         stops answering mid-song;
 *   open  open() of it hangs;
 *   stat  stat()/open() (the kernel's LOOKUP) of it hangs;
 *   list  listing the folder hangs.
 * Reads are direct_io: they reach us as the program asks them, not through the page cache's
 * read-ahead, so "late" stalls exactly the reads that want the late bytes.
 *
 * A stalled request ends only when the daemon goes: its handlers look once a second whether the
 * session is ending and then fail with EIO, so SIGTERM ends it within about a second (SIGKILL at
 * once: waiters get ENOTCONN). The mount point stays until `fusermount3 -u DIR`.
 *
 * Build: cc -O2 -o StallFs StallFs.c $(pkg-config --cflags --libs fuse3) -lm
 * Run:   StallFs --stall=MODE MOUNTDIR     (always in the foreground, multithreaded: with one
 *        thread, one stalled request would block every other request on the mount)
 */
#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <fuse_lowlevel.h> /* fuse_session_exited() */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILE_SIZE (4 * 1024 * 1024)
#define LATE_FROM (1024 * 1024)
static const char *stallName = "01_Stall.wav";

static struct {
    char *stall;
} opts;
static const struct fuse_opt optSpec[] = {{"--stall=%s", offsetof(typeof(opts), stall), 1}, FUSE_OPT_END};

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
    if (!isStallFile(path))
        return -ENOENT;
    if (stallMode("stat"))
        return stallForever();
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    st->st_size = FILE_SIZE;
    return 0;
}

static int fsReaddir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
                     enum fuse_readdir_flags flags)
{
    (void)off;
    (void)fi;
    (void)flags;
    if (strcmp(path, "/") != 0)
        return -ENOENT;
    if (stallMode("list"))
        return stallForever();
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    fill(buf, stallName, NULL, 0, 0);
    return 0;
}

static int fsOpen(const char *path, struct fuse_file_info *fi)
{
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        return -EACCES;
    if (!isStallFile(path))
        return -ENOENT;
    if (stallMode("open"))
        return stallForever();
    return 0;
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

/* The byte at `pos` of the file: a 44-byte WAV header, then the tone, the same on both channels. */
static unsigned char byteAt(off_t pos)
{
    static unsigned char h[44];
    if (h[0] == 0) {
        memcpy(h, "RIFF", 4);
        put32(h + 4, FILE_SIZE - 8);
        memcpy(h + 8, "WAVEfmt ", 8);
        put32(h + 16, 16);
        put16(h + 20, 1); /* PCM */
        put16(h + 22, 2); /* stereo */
        put32(h + 24, 44100);
        put32(h + 28, 44100 * 4);
        put16(h + 32, 4);
        put16(h + 34, 16);
        memcpy(h + 36, "data", 4);
        put32(h + 40, FILE_SIZE - 44);
    }
    if (pos < 44)
        return h[pos];
    const long frame = (long)((pos - 44) / 4);
    const int s = (int)lrint(8192.0 * sin(2.0 * M_PI * 440.0 * (double)frame / 44100.0));
    const unsigned u = (unsigned)(s & 0xffff);
    return (unsigned char)(((pos - 44) % 2 == 0) ? (u & 0xff) : (u >> 8));
}

static int fsRead(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)fi;
    if (!isStallFile(path))
        return -ENOENT;
    if (stallMode("read") || (stallMode("late") && off + (off_t)size > LATE_FROM))
        return stallForever();
    if (off >= FILE_SIZE)
        return 0;
    if (off + (off_t)size > FILE_SIZE)
        size = (size_t)(FILE_SIZE - off);
    for (size_t i = 0; i < size; i++)
        buf[i] = (char)byteAt(off + (off_t)i);
    return (int)size;
}

static void *fsInit(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    cfg->direct_io = 1;
    /* A stalled lookup must not lock the folder (where the kernel and libfuse allow it)... */
    conn->want |= conn->capable & FUSE_CAP_PARALLEL_DIROPS;
    /* ... and a listing must not look up every name (READDIRPLUS). */
    conn->want &= ~FUSE_CAP_READDIRPLUS;
    return NULL;
}

static const struct fuse_operations ops = {
    .init = fsInit,
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
    if (!stallMode("read") && !stallMode("late") && !stallMode("open") && !stallMode("stat") && !stallMode("list")) {
        fprintf(stderr, "StallFs: --stall must be read, late, open, stat or list\n");
        return 1;
    }
    fuse_opt_add_arg(&args, "-f");
    const int ret = fuse_main(args.argc, args.argv, &ops, NULL);
    fuse_opt_free_args(&args);
    return ret;
}
