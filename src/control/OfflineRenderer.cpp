#include "stemdeck/control/OfflineRenderer.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "stemdeck/control/Router.h"
#include "stemdeck/control/ScriptFeed.h"

namespace stemdeck::control {

RenderReport renderSong(engine::Engine& engine, const engine::SongView& song, double sampleRate,
                        const std::vector<control::ScriptEvent>& script, RenderSink& sink,
                        const RenderOptions& options) {
    return renderSongs(engine, {song}, sampleRate, script, sink, options);
}

namespace {
/// Every source the engine reads this block (the reference mix too: it is read on every block,
/// for A/B) must have its frames, or what the file holds would depend on the disk's pace.
void waitForSources(const engine::Engine& engine, const engine::SongView& song, int n) {
    const int ahead = std::max(n, engine::kSeekReadyFrames);
    for (int i = 0; i < song.stemCount; ++i)
        song.stems[static_cast<std::size_t>(i)]->waitUntilReadable(engine.songFrame(), ahead, 5.0);
    if (song.reference != nullptr) song.reference->waitUntilReadable(engine.songFrame(), ahead, 5.0);
}

/// A block's events: into the report; a song's end (`end`), a run-on into the next one (the one
/// after it cued), where a stop's fade finished (`stoppedAt`).
void takeEvents(engine::Engine& engine, const std::vector<engine::SongView>& songs, std::size_t& current,
                RenderReport& report, std::int64_t& end, std::int64_t& stoppedAt) {
    engine::Event e;
    while (engine.nextEvent(e)) {
        report.events.push_back(e);
        if (e.type == engine::EventType::songEnded) {
            report.songEnded = true;
            end = e.frame;
        } else if (e.type == engine::EventType::songChanged) {
            end = -1; // ran on into the next song
            report.songStarts.push_back(e.frame);
            if (++current + 1 < songs.size()) engine.cueNextSong(&songs[current + 1], true);
        } else if (e.type == engine::EventType::transportStopped) {
            stoppedAt = e.frame;
        } else if (e.type == engine::EventType::commandDropped) {
            ++report.droppedCommands;
        } else if (e.type == engine::EventType::underrun) {
            ++report.underruns; // counted as they happen: the engine's counters restart with each song
        }
    }
}
} // namespace

RenderReport renderSongs(engine::Engine& engine, const std::vector<engine::SongView>& songs, double sampleRate,
                         const std::vector<control::ScriptEvent>& script, RenderSink& sink,
                         const RenderOptions& options) {
    std::vector<int> pattern = options.blockPattern;
    if (pattern.empty()) pattern.push_back(options.blockFrames);
    const int maxBlock = *std::max_element(pattern.begin(), pattern.end());
    engine.prepare(sampleRate, maxBlock);
    if (options.onPrepared) options.onPrepared(engine);
    if (songs.empty()) return {};
    std::size_t current = 0;
    engine.setSong(songs[0]);
    if (songs.size() > 1) engine.cueNextSong(&songs[1], true);
    engine::CommandSender sender = engine.makeSender(); // the renderer's own play
    // The script is a surface like any other: its actions reach the engine through a router input,
    // each stamped with its exact frame.
    Router router(engine);
    ScriptFeed feed(script, router.makeInput(Surface::script));

    std::int64_t total = 0;
    for (const auto& s : songs)
        total += s.lengthFrames;
    const std::int64_t lastEvent = script.empty() ? 0 : script.back().frame;
    const std::int64_t limit =
        options.maxFrames > 0 ? options.maxFrames : total + lastEvent + static_cast<std::int64_t>(60.0 * sampleRate);

    RenderReport report;
    report.songStarts.push_back(0);
    std::vector<float> left(static_cast<std::size_t>(maxBlock)), right(static_cast<std::size_t>(maxBlock));
    std::vector<float> ltc(options.ltcSink ? static_cast<std::size_t>(maxBlock) : 0);
    std::vector<float> click(options.clickSink ? static_cast<std::size_t>(maxBlock) : 0);
    std::vector<float> guide(options.guideSink ? static_cast<std::size_t>(maxBlock) : 0);
    engine::OutputBuses buses;
    buses.mainLeft = left.data();
    buses.mainRight = right.data();
    buses.ltc = options.ltcSink ? ltc.data() : nullptr;
    buses.click = options.clickSink ? click.data() : nullptr;
    buses.guide = options.guideSink ? guide.data() : nullptr;
    std::size_t blockIndex = 0;
    std::int64_t frame = 0;
    std::int64_t end = -1; // set once the engine says the song ended or stopped for good
    std::int64_t stoppedAt = 0;
    if (options.click != engine::ClickMode::off) {
        engine::Command c{engine::Op::click};
        c.value = static_cast<float>(options.click);
        sender.send(c);
    }
    if (options.autoPlay) sender.send(engine::Command{engine::Op::play});

    const auto started = std::chrono::steady_clock::now();
    while (end < 0 && frame < limit) {
        const int n = pattern[blockIndex++ % pattern.size()];
        if (options.beforeBlock) options.beforeBlock(frame);
        if (options.realTimePace)
            std::this_thread::sleep_until(started +
                                          std::chrono::duration<double>(static_cast<double>(frame) / sampleRate));
        const engine::SongView& song = songs[current];
        // Every source the engine reads this block — the reference mix too, read on every block
        // for A/B — must have its frames, or what the file holds would depend on the disk's pace.
        if (options.waitForDisk && engine.rolling()) waitForSources(engine, song, n);
        // Issue what falls in this block, stamped with its exact frame: the engine splits there.
        feed.feed(0, frame, frame + n);
        if (options.observer != nullptr) options.observer->beforeProcess();
        engine.process(buses, n);
        if (options.observer != nullptr) options.observer->afterProcess();

        takeEvents(engine, songs, current, report, end, stoppedAt);
        // Stopped with nothing left to issue: the render ends where the stop fade finished (or on
        // the last event, if one came while stopped).
        if (end < 0 && !engine.rolling() && feed.done()) end = std::max(stoppedAt, lastEvent);
        if (options.afterBlock) options.afterBlock(engine, frame, n, end);
        const auto keep = static_cast<int>(end >= 0 ? std::clamp<std::int64_t>(end - frame, 0, n) : n);
        if (keep > 0) sink.write(left.data(), right.data(), keep);
        if (keep > 0 && options.ltcSink) options.ltcSink(ltc.data(), keep);
        if (keep > 0 && options.clickSink) options.clickSink(click.data(), keep);
        if (keep > 0 && options.guideSink) options.guideSink(guide.data(), keep);
        frame += n;
        report.frames += keep;
    }
    report.droppedCommands += feed.lost();
    return report;
}

} // namespace stemdeck::control
