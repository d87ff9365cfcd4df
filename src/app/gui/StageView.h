#pragma once
// The stage view: what a performer reads from two metres away. A view of the published show state
// (control::ShowState, read 30 times a second on the GUI thread; the show's tick runs on the
// control thread, not here); the buttons, faders and knobs send through the GUI's router input,
// the keys go to the control thread as Keys, as play's terminal keys do.
#include <juce_gui_basics/juce_gui_basics.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "stemdeck/app/LiveSession.h"
#include "stemdeck/app/Preflight.h"
#include "stemdeck/app/Settings.h"
#include "stemdeck/app/ShowRunner.h"
#include "JoinPanel.h"
#include "LyricsView.h"
#include "OneLineLook.h"
#include "RunningOrderPanel.h"
#include "ShowScreens.h"
#include "StemStrip.h"

namespace stemdeck::app {

class StageView final : public juce::Component, private juce::Timer {
public:
    /// `settings`: what the settings file holds (the dialog starts from it), saved to `settingsFile`.
    StageView(LiveSession& session, ShowRunner& runner, app::LiveSettings settings, std::filesystem::path settingsFile);
    ~StageView() override;
    void paint(juce::Graphics& g) override;
    void resized() override;
    bool keyPressed(const juce::KeyPress& key) override;
    void mouseDown(const juce::MouseEvent& event) override;
    /// The preflight's findings: shown over the stems until the show first rolls, then as a count
    /// in the footer when there are errors. `preflight` must outlive the view.
    void showPreflight(const Preflight& preflight);
    /// Brings the window to the front with the keyboard (after a dialog closes, or a click).
    void takeKeyboard();
    /// @thread GUI. A line of the log, shown at the foot (the newest that fit).
    void message(std::string line);
    /// The lyrics view in the strips' place (a singer's screen: `stemdeck-gui --lyrics`), or the strips.
    void showLyrics(bool on);
    /// Where a stem's mute / solo button is, in screen pixels (for tests driving it with xdotool).
    [[nodiscard]] std::string layoutReport() const;

private:
    void paintHeader(juce::Graphics& g);   ///< the song, big; bar.beat, elapsed / length, remaining, tempo
    void paintProgress(juce::Graphics& g); ///< the song's progress with its markers and the A-B loop
    void paintFooter(juce::Graphics& g);   ///< next song, device, underruns, the last messages
    /// The log lines the footer has room for (the newest are shown).
    [[nodiscard]] static int footerLines();
    void timerCallback() override;

    void sceneClicked(int slot);

    LiveSession& session_;
    ShowRunner& runner_;
    std::shared_ptr<const control::ShowState> state_;
    const bool traceState_ = std::getenv("STEMDECK_STATE_TRACE") != nullptr;
    std::string traced_;    ///< the last mix written to the log (STEMDECK_STATE_TRACE)
    OneLineLook sceneLook_; // (before the buttons that use it: it outlives them)
    std::array<juce::TextButton, engine::kMaxScenes> scenes_;
    int sceneRows_ = 1; ///< 2 when the scenes have a row of their own (a narrow screen)
    juce::TextButton panic_{"PANIC"}, lock_{"LOCK"};
    juce::TextButton join_{"JOIN (QR)"}; ///< the web remote's join codes (with --web)
    JoinPanel joinPanel_;
    RunningOrderPanel order_{session_}; ///< tonight's running order, over the set list's place
    void toggleJoin();
    // Rehearsal: tempo and key of the song, a step a click (tempo_down, tempo_up, transpose_down, transpose_up).
    std::array<juce::TextButton, 4> stretch_{juce::TextButton{"TEMPO -"}, juce::TextButton{"TEMPO +"},
                                             juce::TextButton{"KEY -"}, juce::TextButton{"KEY +"}};
    // Practice: the A-B loop (loop_a, loop_b, loop_count_in), beside the progress bar that shows it.
    std::array<juce::TextButton, 3> practice_{juce::TextButton{"A"}, juce::TextButton{"B"}, juce::TextButton{"COUNT"}};
    juce::TextButton guides_{"GUIDES"}; // the spoken guide cues on or off (shown when they are set up)
    juce::TextButton lyrics_{"LYRICS"}; // this screen shows the lyrics, or the strips (shown for a song with lyrics)
    LyricsView lyricsView_;
    bool lyricsShown_ = false;
    std::string tracedLyrics_;    ///< the lyrics line written to the log last (STEMDECK_STATE_TRACE)
    juce::uint32 lockDownAt_ = 0; ///< when the lock button went down (a long press unlocks)
    app::LiveSettings settings_;
    std::filesystem::path settingsFile_;
    std::vector<std::unique_ptr<StemStrip>> strips_;
    control::PlayerStatus status_;
    std::deque<std::string> messages_;
    Overviews overviews_;
    int overviewSong_ = -1;
    juce::Rectangle<int> header_, position_, progress_, sceneBar_, stripsArea_, footer_, setList_;
    int frames_ = 0;
    bool layoutReported_ = false;
    const Preflight* preflight_ = nullptr;
    PreflightPanel preflightPanel_;
    bool everRolled_ = false; // the preflight panel stays until the show first rolls
};

} // namespace stemdeck::app
