// The web thread beside a show: the engine rendered block by block and the show ticked on the
// test's thread (the audio and control threads), the web server on its own, pages as Beast
// WebSocket clients on threads of their own. Also built with ThreadSanitizer ([tsan]): the web
// thread's router input and its reads of the published state against the control thread's ticks,
// with a second page flooding, and the server stopped with pages still connected.
#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <cmath>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "../support/TestSupport.h"
#include "stemdeck/control/Show.h"
#include "stemdeck/remote/WebServer.h"

using namespace stemdeck;
using namespace stemdeck::control;
using namespace stemdeck::remote;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
constexpr int kRate = 48000;
constexpr int kBlock = 256;

struct WebRig {
    test::TempDir dir;
    engine::Engine engine;
    std::ostringstream log;
    std::unique_ptr<Show> show;
    std::unique_ptr<WebServer> server;
    std::vector<float> out;

    WebRig() {
        test::writeStemFolder(
            dir / "one", kRate,
            {test::constantStem(kRate * 8, 0.25f, false), test::constantStem(kRate * 8, 0.125f, false)},
            {"Drums", "Bass"}, "BPM: 120\n");
        std::filesystem::create_directories(dir / "web");
        std::ofstream(dir / "web" / "index.html") << "<!doctype html><title>stemdeck</title>";
        engine.prepare(kRate, kBlock);
        PlayerOptions o;
        o.song.sampleRate = kRate;
        show = std::make_unique<Show>(engine, songsFromFolders({dir / "one"}), o, log);
        show->start();
        WebOptions options;
        options.pages = dir / "web";
        options.tokenFile = dir / "state" / "web-tokens";
        server = std::make_unique<WebServer>(show->router(), show->state(), options,
                                             [this] { return engine.outputFrame(); });
        server->start();
    }
    ~WebRig() {
        if (server) server->stop();
    }
    /// Blocks until `done()`, for at most `seconds` of wall-clock time (a loaded machine, TSan).
    template <typename Done>
    bool runUntil(Done done, double seconds = 20.0) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (!done() && std::chrono::steady_clock::now() < until)
            run(5);
        return done();
    }
    void run(int blocks) {
        std::vector<float> l(kBlock), r(kBlock);
        for (int b = 0; b < blocks; ++b) {
            (void)show->player().waitForDisk(engine::kSeekReadyFrames, 5.0);
            engine.process(l.data(), r.data(), kBlock);
            out.insert(out.end(), l.begin(), l.end());
            show->tick();
            std::this_thread::sleep_for(std::chrono::microseconds(500)); // (time for the web thread)
        }
    }
};

/// A page: a Beast WebSocket client that runs `script` on a thread of its own (one thread owns the
/// stream: Beast's synchronous calls are not for two threads at once). The test's thread looks at
/// what it got.
struct Page {
    net::io_context io;
    websocket::stream<tcp::socket> ws{io};
    std::thread thread;
    std::mutex mutex;
    std::vector<std::string> got; // (under mutex)
    std::atomic<bool> closed{false}, stop{false};

    Page(int port, const std::string& view, std::function<void(Page&)> script) {
        tcp::resolver resolver{io};
        net::connect(ws.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
        ws.handshake("127.0.0.1:" + std::to_string(port), "/ws?view=" + view);
        thread = std::thread([this, script = std::move(script)] {
            script(*this);
            closed = true;
        });
    }
    ~Page() {
        stop = true;
        beast::error_code ec;
        ws.next_layer().shutdown(tcp::socket::shutdown_both, ec);
        if (thread.joinable()) thread.join();
    }
    /// (the page's thread) Reads until a message holds `part`; false when the socket closed.
    bool readUntil(const std::string& part) {
        beast::flat_buffer buffer;
        for (;;) {
            beast::error_code ec;
            ws.read(buffer, ec);
            if (ec) return false;
            std::string m = beast::buffers_to_string(buffer.data());
            buffer.consume(buffer.size());
            const bool found = m.find(part) != std::string::npos;
            {
                std::lock_guard lock(mutex);
                got.push_back(std::move(m));
            }
            if (found) return true;
        }
    }
    /// (the page's thread)
    bool send(const std::string& text) {
        beast::error_code ec;
        ws.write(net::buffer(text), ec);
        return !ec;
    }
    /// (any thread)
    bool has(const std::string& part) {
        std::lock_guard lock(mutex);
        return std::any_of(got.begin(), got.end(), [&](const std::string& m) { return m.find(part) != std::string::npos; });
    }
};

bool near(float a, float b) {
    return std::fabs(a - b) < 1e-3f;
}
} // namespace

TEST_CASE("a web page beside a show: its mute is heard, the state comes back, a flood is cut", "[unit][web][tsan]") {
    WebRig rig;
    rig.show->player().play();
    REQUIRE(rig.runUntil([&] { return !rig.out.empty() && near(rig.out.back(), 0.375f); })); // Drums 0.25 + Bass 0.125
    // The MD's page: a mute by name, then a shutdown (refused), then it reads on until the end.
    Page page(rig.server->port(), "control", [](Page& p) {
        if (!p.readUntil("\"type\":\"state\"")) return;
        p.send(R"({"type":"action","action":"toggle_mute","stem":"drums","id":"m1"})");
        if (!p.readUntil("\"muted\":true")) return;
        p.send(R"({"type":"action","action":"shutdown","id":"s1"})");
        p.readUntil("never comes");
    });
    // A second page floods meanwhile, far past its 30 a second, reading nothing.
    Page flooder(rig.server->port(), "control", [](Page& p) {
        while (!p.stop.load() &&
               p.send(R"({"type":"action","action":"gain","stem":2,"value":"0dB"})"))
            std::this_thread::sleep_for(std::chrono::microseconds(200));
    });
    CHECK(rig.runUntil([&] { return near(rig.out.back(), 0.125f); })); // heard: the drums are muted
    rig.runUntil([&] { return page.has("not taken over the network"); });
    CHECK(page.has("\"control\":true"));
    CHECK(page.has(R"({"id":"m1","type":"ack"})"));
    CHECK(page.has("\"muted\":true"));
    CHECK(page.has("not taken over the network")); // shutdown is never taken from a page
    // The flood went on past its warning: closed (4429; the close handshake, which a page that reads
    // nothing never answers, gives up after 10 s).
    CHECK(rig.runUntil([&] { return flooder.closed.load(); }, 30.0));
    const WebServer::Counts c = rig.server->counts();
    CHECK(c.applied >= 1);
    CHECK(c.refused > 0);
    CHECK(rig.show->state().latest()->health.dropped == 0); // the flood never filled the engine's queue
    std::string notes;
    for (const std::string& line : rig.server->takeNotes())
        notes += line + "\n";
    CHECK(notes.find("flooded the show with messages: closed") != std::string::npos);
    // Stopped with a page still connected (and its reads pending): no crash, no leak, no race.
    rig.server->stop();
    rig.server.reset();
    for (int k = 0; k < 100 && !page.closed.load(); ++k)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(page.closed.load());
}
