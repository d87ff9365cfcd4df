#pragma once
// Test harness for end-to-end runs through a real JACK server (dummy driver): our own server,
// child processes (plain or in a pseudo-terminal), a recorder of stemdeck's output ports and a
// fake MIDI controller. Shared by the e2e tests and the MIDI latency benchmark.
#include <jack/jack.h>
#include <jack/midiport.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace stemdeck::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline constexpr int kJackRate = 48000;

/// The e2e tests' checks: each prints "ok" or "FAIL" and what it checked, and is counted.
inline int failures = 0, passes = 0;
inline bool expect(bool ok, const std::string& what) {
    std::printf("%s - %s\n", ok ? "ok  " : "FAIL", what.c_str());
    std::fflush(stdout);
    ++(ok ? passes : failures);
    return ok;
}

/// Deactivates and closes a JACK client, once.
inline void closeClient(jack_client_t*& client) {
    if (client == nullptr) return;
    jack_deactivate(client);
    jack_client_close(client);
    client = nullptr;
}

/// In a forked child: runs argv[0] (found on PATH) with those arguments; 127 if it cannot.
[[noreturn]] inline void execArgv(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
}

inline pid_t spawn(const std::vector<std::string>& argv, const std::string& out,
                   const std::vector<std::string>& env = {}) {
    const pid_t pid = fork();
    if (pid == 0) {
        if (std::FILE* f = std::fopen(out.c_str(), "w")) {
            dup2(fileno(f), 1);
            dup2(fileno(f), 2);
        }
        if (std::FILE* in = std::fopen("/dev/null", "r")) dup2(fileno(in), 0); // not a terminal
        for (const auto& e : env)
            putenv(const_cast<char*>(e.c_str()));
        execArgv(argv);
    }
    return pid;
}

inline std::string readFile(const fs::path& p) {
    std::ifstream f(p);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

/// Waits for a child, calling `meanwhile` between polls (say, to read its terminal); -1 if it did
/// not exit in time (then it is killed).
template <typename Meanwhile = void (*)()>
inline int waitExit(
    pid_t pid, std::chrono::milliseconds timeout, Meanwhile meanwhile = [] {}) {
    int status = 0;
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        meanwhile();
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(20ms);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/// Runs a command with DISPLAY set; true if it exits 0.
inline bool onDisplay(const std::string& display, const std::string& command) {
    return std::system(("DISPLAY=" + display + " " + command + " >/dev/null 2>&1").c_str()) == 0;
}

/// What a command prints on DISPLAY (stdout), "" if it cannot run.
inline std::string readDisplay(const std::string& display, const std::string& command) {
    std::string out;
    if (FILE* p = popen(("DISPLAY=" + display + " " + command + " 2>/dev/null").c_str(), "r")) {
        char buf[256];
        while (std::fgets(buf, sizeof buf, p) != nullptr)
            out += buf;
        pclose(p);
    }
    return out;
}

/// An X server without a screen (Xvfb, 1280x900) for the GUI tests, stopped on destruction.
struct XServer {
    std::string display;
    pid_t pid = -1;
    /// `size`: the screen, "WIDTHxHEIGHT".
    XServer(std::string d, const fs::path& log, const std::string& size = "1280x900") : display(std::move(d)) {
        pid = spawn({"Xvfb", display, "-screen", "0", size + "x24", "-nolisten", "tcp"}, log.string());
    }
    /// True once it answers (within 5 s).
    bool up() const {
        for (int i = 0; i < 100; ++i) {
            std::this_thread::sleep_for(50ms);
            if (onDisplay(display, "xdotool getmouselocation")) return true;
        }
        return false;
    }
    ~XServer() {
        if (pid <= 0) return;
        kill(pid, SIGTERM);
        waitpid(pid, nullptr, 0);
    }
    XServer(const XServer&) = delete;
    XServer& operator=(const XServer&) = delete;
};

/// The rest of the last line of `log` that starts with `prefix`, "" if none. (The stage view says
/// "layout: …" again each time it is laid out again: the last report is the one on screen.)
inline std::string lastLine(const std::string& log, const std::string& prefix) {
    const std::size_t at = log.rfind(prefix);
    if (at == std::string::npos) return "";
    const std::size_t end = log.find('\n', at);
    return log.substr(at + prefix.size(), end == std::string::npos ? std::string::npos : end - at - prefix.size());
}

/// Where the last layout report puts a button ("scene 1", "stem 2 mute", "loop_a", "settings
/// save"): its centre in screen pixels. False (x, y 0) if it names none.
inline bool buttonAt(const std::string& log, const std::string& name, int& x, int& y) {
    x = y = 0;
    const std::string rest = lastLine(log, "layout: " + name + " ");
    return std::sscanf(rest.c_str(), "%d,%d", &x, &y) == 2 && x > 0 && y > 0;
}

/// Polls `done` every 10 ms until it holds (true) or the timeout passes (false). For what must
/// happen: on a loaded machine "soon" can take longer than any fixed sleep.
template <class Condition>
bool waitUntil(Condition done, std::chrono::milliseconds timeout = 5000ms) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

/// The port after `said` in a log (a play's "… on 127.0.0.1:PORT"), once it is there; 0 if not in time.
inline int portFromLog(const fs::path& log, const std::string& said, std::chrono::milliseconds timeout = 10000ms) {
    int port = 0;
    waitUntil(
        [&] {
            const std::string text = readFile(log);
            const auto at = text.find(said);
            if (at != std::string::npos) port = std::atoi(text.c_str() + at + said.size());
            return port > 0;
        },
        timeout);
    return port;
}

/// The port `stemdeck play --osc 127.0.0.1:0` got (it says which in its log), waited for up to
/// `timeout`; 0 if it never said.
inline int oscPortFromLog(const fs::path& log, std::chrono::milliseconds timeout = 10000ms) {
    return portFromLog(log, "stemdeck's addresses on 127.0.0.1:", timeout);
}

/// A JACK server of our own, dummy driver, 8 playback ports.
struct JackServer {
    std::string name;
    fs::path log;
    pid_t pid = -1;
    /// sync (the tests' default): the server waits for every client each cycle (jackd -S). In
    /// JACK's default asynchronous mode a client a loaded machine runs late reads its MIDI input
    /// after the sender has written the next cycle's into the same buffer, and the recorder reads
    /// a late client's stale or empty output: JACK's losses, not the client's, which under two CPU
    /// hogs (thousands of xruns a run) no test of stemdeck's own path could tell from its faults.
    bool start(int period = 256, int rate = kJackRate, bool sync = true, bool realtime = false) {
        std::vector<std::string> argv = {"jackd", "-n", name, realtime ? "--realtime" : "--no-realtime"};
        if (sync) argv.emplace_back("-S");
        for (const std::string a : {"-d", "dummy", "-r"})
            argv.push_back(a);
        argv.push_back(std::to_string(rate));
        argv.emplace_back("-p");
        argv.push_back(std::to_string(period));
        argv.emplace_back("-P");
        argv.emplace_back("8");
        pid = spawn(argv, log.string());
        return std::system("jack_wait -w -t 10 >/dev/null") == 0;
    }
    void stop(int sig = SIGTERM) {
        if (pid <= 0) return;
        kill(pid, sig);
        waitpid(pid, nullptr, 0);
        pid = -1;
    }
    ~JackServer() { stop(); }
};

/// Records input ports into memory from the moment it is activated.
struct Recorder {
    static constexpr int kMaxPorts = 8;
    jack_client_t* client = nullptr;
    std::vector<jack_port_t*> ports;
    std::vector<std::vector<float>> data;
    std::atomic<std::size_t> frames{0};
    /// Xruns the server reported to this client: each is a cycle some client (stemdeck, this
    /// recorder) missed, which delays everything after it by a period.
    std::atomic<int> xruns{0};

    bool open(int count, std::size_t capacity, JackProcessCallback callback = &Recorder::process) {
        jack_status_t status{};
        client = jack_client_open("recorder", JackNoStartServer, &status);
        if (client == nullptr) return false;
        data.assign(static_cast<std::size_t>(count), std::vector<float>(capacity, 0.0f));
        frames.store(0);
        ports.clear();
        for (int i = 0; i < count; ++i)
            ports.push_back(jack_port_register(client, ("in_" + std::to_string(i + 1)).c_str(), JACK_DEFAULT_AUDIO_TYPE,
                                               JackPortIsInput, 0));
        jack_set_process_callback(client, callback, this);
        jack_set_xrun_callback(
            client,
            [](void* arg) {
                static_cast<Recorder*>(arg)->xruns.fetch_add(1, std::memory_order_relaxed);
                return 0;
            },
            this);
        return jack_activate(client) == 0;
    }
    /// Connects stemdeck:out_N to in_(i+1) for each N given, retrying while stemdeck starts (which
    /// takes seconds on a loaded machine: it loads the song first).
    bool connect(const std::vector<int>& outs, std::chrono::milliseconds timeout = 10000ms) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        std::vector<bool> done(outs.size(), false);
        while (std::chrono::steady_clock::now() < until) {
            bool all = true;
            for (std::size_t i = 0; i < outs.size(); ++i) {
                if (!done[i])
                    done[i] = jack_connect(client, ("stemdeck:out_" + std::to_string(outs[i])).c_str(),
                                           jack_port_name(ports[i])) == 0;
                all = all && done[i];
            }
            if (all) return true;
            std::this_thread::sleep_for(5ms);
        }
        return false;
    }
    void close() { closeClient(client); }
    ~Recorder() { close(); }
    /// The last recorded value of port i (the output as it is now).
    float now(std::size_t i) const {
        const std::size_t n = frames.load(std::memory_order_acquire);
        return n == 0 ? 0.0f : data[i][n - 1];
    }
    static int process(jack_nframes_t n, void* arg) {
        auto* r = static_cast<Recorder*>(arg);
        const std::size_t at = r->frames.load(std::memory_order_relaxed);
        const std::size_t take = std::min<std::size_t>(n, r->data[0].size() - at);
        for (std::size_t p = 0; p < r->ports.size(); ++p) {
            const auto* in = static_cast<const float*>(jack_port_get_buffer(r->ports[p], n));
            std::copy_n(in, take, r->data[p].data() + at);
        }
        r->frames.store(at + take, std::memory_order_release);
        return 0;
    }
};

/// stemdeck in a pseudo-terminal: keys are typed into it, its screen is read back.
struct PtyProcess {
    pid_t pid = -1;
    int fd = -1;
    std::string screen;
    void start(const std::vector<std::string>& argv) {
        winsize ws{};
        ws.ws_col = 160;
        ws.ws_row = 30;
        pid = forkpty(&fd, nullptr, nullptr, &ws);
        if (pid == 0) {
            setenv("TERM", "xterm", 1);
            execArgv(argv);
        }
    }
    void drain() {
        char buf[4096];
        for (;;) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 0) <= 0) break;
            const ssize_t got = read(fd, buf, sizeof buf);
            if (got <= 0) break;
            screen.append(buf, static_cast<std::size_t>(got));
        }
    }
    void type(const std::string& keys) { (void)!write(fd, keys.data(), keys.size()); }
    /// Reads the screen for a while (a program writing a busy status line blocks when nobody reads).
    void pump(std::chrono::milliseconds time) { (void)waitFor(std::string(1, '\0'), time); }
    /// Waits for the program to end, reading its screen meanwhile; its status, or -1 (killed) after the timeout.
    int waitExit(std::chrono::milliseconds timeout) {
        return stemdeck::test::waitExit(pid, timeout, [this] { drain(); });
    }
    /// Reads the screen until `text` shows up (true) or the timeout passes.
    bool waitFor(const std::string& text, std::chrono::milliseconds timeout) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < until) {
            drain();
            if (screen.find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }
};

/// A fake controller (named like an Akai APC mini mk2): a JACK client with a MIDI output port whose name stemdeck's
/// mapping matches. send() queues a message; the process callback writes it at the cycle's first frame and notes that
/// frame (JACK's frame clock, shared with the recorder).
struct FakeController {
    jack_client_t* client = nullptr;
    jack_port_t* out = nullptr;
    jack_port_t* in = nullptr;                              // LED messages from stemdeck arrive here
    std::array<std::atomic<std::uint32_t>, 512> received{}; // 0x00SSDDVV each
    std::atomic<int> receivedCount{0};
    std::atomic<std::uint32_t> pending{0}; // 0x00SSDDVV, 0 = none
    std::atomic<std::int64_t> sentAt{-1};  // JACK frame time of the last message sent
    bool open() {
        jack_status_t status{};
        client = jack_client_open("fake-apc", JackNoStartServer, &status);
        if (client == nullptr) return false;
        out = jack_port_register(client, "APC mini mk2 MIDI", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
        in = jack_port_register(client, "APC mini mk2 MIDI in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
        jack_set_process_callback(client, &FakeController::process, this);
        return jack_activate(client) == 0;
    }
    void close() { closeClient(client); }
    ~FakeController() { close(); }
    /// True if stemdeck sent this LED message (status, note, velocity) since `from` messages ago.
    bool gotLed(std::uint32_t message, int from = 0) const {
        for (int k = from; k < receivedCount.load(); ++k)
            if (received[static_cast<std::size_t>(k)].load() == message) return true;
        return false;
    }
    std::atomic<std::uint32_t> offset{0}; // frame within the cycle to write the next message at
    /// Sends (at frame `at` of a cycle) and waits until the process callback has written it.
    void send(std::uint8_t s, std::uint8_t d1, std::uint8_t d2, std::uint32_t at = 0) {
        offset.store(at);
        pending.store(0x1000000u | (std::uint32_t{s} << 16) | (std::uint32_t{d1} << 8) | d2);
        while (pending.load() != 0)
            std::this_thread::sleep_for(1ms);
    }
    static int process(jack_nframes_t n, void* arg) {
        auto* f = static_cast<FakeController*>(arg);
        void* inBuf = jack_port_get_buffer(f->in, n);
        const jack_nframes_t events = jack_midi_get_event_count(inBuf);
        for (jack_nframes_t e = 0; e < events; ++e) {
            jack_midi_event_t ev;
            if (jack_midi_event_get(&ev, inBuf, e) != 0 || ev.size < 3) continue;
            const int k = f->receivedCount.load();
            if (k >= static_cast<int>(f->received.size())) break;
            f->received[static_cast<std::size_t>(k)].store((std::uint32_t{ev.buffer[0]} << 16) |
                                                           (std::uint32_t{ev.buffer[1]} << 8) | ev.buffer[2]);
            f->receivedCount.store(k + 1);
        }
        void* buf = jack_port_get_buffer(f->out, n);
        jack_midi_clear_buffer(buf);
        const std::uint32_t m = f->pending.load();
        if (m != 0) {
            const jack_midi_data_t bytes[3] = {static_cast<jack_midi_data_t>(m >> 16),
                                               static_cast<jack_midi_data_t>(m >> 8), static_cast<jack_midi_data_t>(m)};
            const jack_nframes_t at = std::min<jack_nframes_t>(f->offset.load(), n - 1);
            jack_midi_event_write(buf, at, bytes, 3);
            f->sentAt.store(static_cast<std::int64_t>(jack_last_frame_time(f->client)) + at);
            f->pending.store(0);
        }
        return 0;
    }
};

/// Records ports with JACK's frame clock: frame i of the recording is JACK frame firstFrame + i,
/// even when the server skipped cycles (an xrun), whose frames stay silent.
struct TimedRecorder : Recorder {
    std::atomic<std::int64_t> firstFrame{-1};
    static int processTimed(jack_nframes_t n, void* arg) {
        auto* r = static_cast<TimedRecorder*>(arg);
        const auto now = static_cast<std::int64_t>(jack_last_frame_time(r->client));
        if (r->firstFrame.load() < 0) r->firstFrame.store(now);
        const auto at = static_cast<std::size_t>(now - r->firstFrame.load());
        if (at >= r->data[0].size()) return 0;
        const std::size_t take = std::min<std::size_t>(n, r->data[0].size() - at);
        for (std::size_t p = 0; p < r->ports.size(); ++p)
            std::copy_n(static_cast<const float*>(jack_port_get_buffer(r->ports[p], n)), take, r->data[p].data() + at);
        r->frames.store(at + take, std::memory_order_release);
        return 0;
    }
    /// The JACK frame where port 0's level first leaves `before` (by more than 1e-4), at or after
    /// JACK frame `from`; -1 if it has not yet.
    /// The first frame from `from` whose level differs from `before`. A loaded server may skip a
    /// cycle of the recorder's, which leaves a run of silence in the recording and then the old
    /// level again: such a gap is stepped over, not taken for the change looked for.
    [[nodiscard]] std::int64_t changedAt(std::int64_t from, float before) const {
        const std::size_t n = frames.load(std::memory_order_acquire);
        const std::int64_t first = firstFrame.load();
        for (auto i = static_cast<std::size_t>(std::max<std::int64_t>(0, from - first)); i < n; ++i) {
            if (std::fabs(data[0][i] - before) <= 1e-4f) continue;
            if (data[0][i] == 0.0f && before != 0.0f) {
                std::size_t j = i;
                while (j < n && data[0][j] == 0.0f)
                    ++j;
                if (j < n && std::fabs(data[0][j] - before) <= 1e-4f) { // silence, then the old level: a gap
                    i = j;
                    continue;
                }
            }
            return first + static_cast<std::int64_t>(i);
        }
        return -1;
    }
};

/// A recording of stemdeck's output compared with the render of the same session, JACK cycle by
/// JACK cycle. On a loaded machine the server may skip a cycle of stemdeck's (its output is then
/// silent or the previous cycle's, and everything after runs a period later in JACK time) or of
/// the recorder's (a silent period in the recording). Such periods are stepped over and counted;
/// every other period must equal the render sample for sample at an offset that only ever moves
/// by whole periods. The render must have a unique value on every frame (a ramp) so that a
/// period matching at a moved offset proves it is the right audio, merely displaced in time.
struct CycleComparison {
    std::size_t compared = 0, differ = 0, skipped = 0, slips = 0;
    float worst = 0.0f;
    std::int64_t firstDifference = -1; ///< render frame
};
inline CycleComparison compareByCycle(const std::vector<float>& recorded, std::size_t n,
                                      const std::vector<float>& render, std::int64_t offset, std::size_t period,
                                      std::size_t from, std::int64_t renderLimit) {
    CycleComparison c;
    auto matches = [&](std::size_t at, std::int64_t off, std::size_t len) {
        for (std::size_t j = 0; j < len; ++j) {
            const std::int64_t k = static_cast<std::int64_t>(at + j) + off;
            if (k < 0 || k >= static_cast<std::int64_t>(render.size()) ||
                std::fabs(render[static_cast<std::size_t>(k)] - recorded[at + j]) > 1e-6f)
                return false;
        }
        return true;
    };
    std::size_t at = (from + period - 1) / period * period; // the first whole cycle
    for (; at + period <= n; at += period) {
        if (static_cast<std::int64_t>(at) + offset + static_cast<std::int64_t>(period) > renderLimit) break;
        if (matches(at, offset, period)) {
            c.compared += period;
            continue;
        }
        bool moved = false;
        for (const std::int64_t step : {-1, 1, -2, 2, -3, 3})
            if (matches(at, offset + step * static_cast<std::int64_t>(period), period)) {
                offset += step * static_cast<std::int64_t>(period);
                ++c.slips;
                c.compared += period;
                moved = true;
                break;
            }
        if (moved) continue;
        const bool silent =
            std::all_of(recorded.begin() + static_cast<std::ptrdiff_t>(at),
                        recorded.begin() + static_cast<std::ptrdiff_t>(at + period), [](float x) { return x == 0.0f; });
        const bool repeated = at >= period && std::equal(recorded.begin() + static_cast<std::ptrdiff_t>(at),
                                                         recorded.begin() + static_cast<std::ptrdiff_t>(at + period),
                                                         recorded.begin() + static_cast<std::ptrdiff_t>(at - period));
        if (silent || repeated) {
            ++c.skipped;
            continue;
        }
        for (std::size_t j = 0; j < period; ++j) { // a real difference: measure it
            const std::int64_t k = static_cast<std::int64_t>(at + j) + offset;
            if (k < 0 || k >= static_cast<std::int64_t>(render.size())) continue;
            const float d = std::fabs(render[static_cast<std::size_t>(k)] - recorded[at + j]);
            if (d > 1e-6f && c.firstDifference < 0) c.firstDifference = k;
            c.worst = std::max(c.worst, d);
            c.differ += d > 1e-6f ? 1 : 0;
        }
        c.compared += period;
    }
    return c;
}

} // namespace stemdeck::test
