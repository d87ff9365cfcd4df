// End to end through a real JACK server (dummy driver, no sound card): `stemdeck play` a generated
// song, record its output ports with our own JACK client, and check the recording.
//   stemdeck_e2e_jack PATH/TO/stemdeck
// Stem A clicks on the left only, stem B on the right only, at the same instants: the recording
// must keep the file's spacing to the frame on both sides, and both sides must click on the same
// frames (the stems stay sample-aligned through the device). play must exit by itself, 0 underruns.
#include <jack/jack.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/TestSupport.h"
#include "stemdeck/stream/AudioFile.h"

using namespace stemdeck;
namespace fs = std::filesystem;

namespace {

int failures = 0, passes = 0;
void expect(bool ok, const std::string& what) {
    std::printf("%s - %s\n", ok ? "ok  " : "FAIL", what.c_str());
    ++(ok ? passes : failures);
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& out = "") {
    const pid_t pid = fork();
    if (pid == 0) {
        if (!out.empty()) {
            std::FILE* f = std::fopen(out.c_str(), "w");
            if (f != nullptr) {
                dup2(fileno(f), 1);
                dup2(fileno(f), 2);
            }
        }
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    return pid;
}

// Records two input ports into memory from the moment it is connected.
struct Recorder {
    jack_client_t* client = nullptr;
    jack_port_t* in[2] = {nullptr, nullptr};
    std::vector<float> left, right;
    std::atomic<std::size_t> frames{0};
    static int process(jack_nframes_t n, void* arg) {
        auto* r = static_cast<Recorder*>(arg);
        const std::size_t at = r->frames.load(std::memory_order_relaxed);
        const std::size_t take = std::min<std::size_t>(n, r->left.size() - at);
        const auto* l = static_cast<const float*>(jack_port_get_buffer(r->in[0], n));
        const auto* rr = static_cast<const float*>(jack_port_get_buffer(r->in[1], n));
        std::copy_n(l, take, r->left.data() + at);
        std::copy_n(rr, take, r->right.data() + at);
        r->frames.store(at + take, std::memory_order_release);
        return 0;
    }
};

std::vector<std::size_t> onsets(const std::vector<float>& x, std::size_t n) {
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < n; ++i)
        if (std::fabs(x[i]) > 0.25f && (at.empty() || i > at.back() + 1000)) at.push_back(i);
    return at;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    const std::string stemdeck = argv[1];
    const std::string server = "stemdeck-e2e-" + std::to_string(getpid());
    setenv("JACK_DEFAULT_SERVER", server.c_str(), 1);
    test::TempDir dir;

    // The song: 4 s at 48 kHz; clicks at 1.5, 2.0, 2.5 and 3.0 s — A on the left, B on the right.
    const int rate = 48000;
    const std::int64_t len = 4 * rate;
    const std::vector<std::int64_t> clicks = {72000, 96000, 120000, 144000};
    test::StemAudio a, b;
    a.left.assign(static_cast<std::size_t>(len), 0.0f);
    a.right = a.left;
    b.left = a.left;
    b.right = a.left;
    for (auto c : clicks) {
        a.left[static_cast<std::size_t>(c)] = 0.5f;
        b.right[static_cast<std::size_t>(c)] = 0.5f;
    }
    test::writeStemFolder(dir / "song", rate, {a, b}, {"Left", "Right"});
    std::ofstream(dir / "song" / "03_Broken.wav") << "not audio: a stem that cannot be opened";

    const pid_t jackd = spawn({"jackd", "-n", server, "--no-realtime", "-d", "dummy", "-r", "48000", "-p", "256"},
                              (dir / "jackd.log").string());
    const int waited = std::system("jack_wait -w -t 10 >/dev/null");
    expect(waited == 0, "a JACK server with the dummy driver is up");

    Recorder rec;
    rec.left.assign(static_cast<std::size_t>(8 * rate), 0.0f);
    rec.right = rec.left;
    jack_status_t status{};
    rec.client = jack_client_open("recorder", JackNoStartServer, &status);
    expect(rec.client != nullptr, "the recorder connects to the server");
    if (rec.client == nullptr) {
        kill(jackd, SIGTERM);
        return 1;
    }
    rec.in[0] = jack_port_register(rec.client, "in_l", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    rec.in[1] = jack_port_register(rec.client, "in_r", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    jack_set_process_callback(rec.client, &Recorder::process, &rec);
    jack_activate(rec.client);

    const pid_t play =
        spawn({stemdeck, "play", (dir / "song").string(), "--driver", "jack"}, (dir / "play.log").string());
    // Connect as soon as stemdeck's ports exist (the song starts with 1.5 s of silence).
    bool connected = false;
    for (int i = 0; i < 200 && !connected; ++i) {
        connected = jack_connect(rec.client, "stemdeck:out_1", "recorder:in_l") == 0 &&
                    jack_connect(rec.client, "stemdeck:out_2", "recorder:in_r") == 0;
        if (!connected) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    expect(connected, "stemdeck's output ports appear and are recorded");

    int playStatus = -1;
    for (int i = 0; i < 300; ++i) { // play exits by itself when the song is over
        if (waitpid(play, &playStatus, WNOHANG) == play) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const bool exited = WIFEXITED(playStatus) && WEXITSTATUS(playStatus) == 0;
    if (!exited) kill(play, SIGKILL);
    expect(exited, "stemdeck play ends by itself with status 0 when the song has played");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    jack_deactivate(rec.client);
    jack_client_close(rec.client);
    kill(jackd, SIGTERM);
    waitpid(jackd, nullptr, 0);

    std::ifstream logFile(dir / "play.log");
    const std::string log((std::istreambuf_iterator<char>(logFile)), std::istreambuf_iterator<char>());
    expect(log.find("underruns 0") != std::string::npos, "play reports 0 underruns");
    expect(log.find("03_Broken.wav: cannot read as audio") != std::string::npos &&
               log.find("stays silent; the other stems play") != std::string::npos,
           "a broken third stem is named, kept silent, and the show goes on");

    const std::size_t n = rec.frames.load(std::memory_order_acquire);
    const auto left = onsets(rec.left, n), right = onsets(rec.right, n);
    expect(left.size() == clicks.size(), "all " + std::to_string(clicks.size()) +
                                             " clicks of stem A are on the left (" + std::to_string(left.size()) + ")");
    expect(right.size() == clicks.size(),
           "all clicks of stem B are on the right (" + std::to_string(right.size()) + ")");
    if (left.size() == clicks.size() && right.size() == clicks.size()) {
        bool spacing = true, aligned = true;
        for (std::size_t i = 0; i < clicks.size(); ++i) {
            spacing = spacing && left[i] - left[0] == static_cast<std::size_t>(clicks[i] - clicks[0]);
            aligned = aligned && left[i] == right[i];
        }
        expect(spacing, "the clicks keep the file's spacing to the frame (24000 apart)");
        expect(aligned, "stem A and stem B click on the same recorded frames: sample-aligned through the device");
    }
    std::printf("%d passed, %d failed\n", passes, failures);
    if (failures != 0) std::printf("play log:\n%s\n", log.c_str());
    return failures == 0 ? 0 : 1;
}
