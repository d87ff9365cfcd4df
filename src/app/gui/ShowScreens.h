#pragma once
// What the stage screen shows before the show: the preflight's findings, and the waiting screen
// while the audio device is not there yet (interface unplugged, JACK not started).
#include <juce_gui_basics/juce_gui_basics.h>

#include <functional>
#include <string>
#include <vector>

#include "stemdeck/app/LiveSession.h"
#include "stemdeck/app/Preflight.h"
#include "stemdeck/app/ShowRunner.h"

namespace stemdeck::app {

/// @thread GUI. The set-list panel's background and the set's name, on every screen that lists
/// the songs; returns the area left for the songs.
juce::Rectangle<int> paintSetListHeader(juce::Graphics& g, juce::Rectangle<int> panel, const LiveSession& session);

/// The preflight's progress, then its summary and one line per problem (errors red, warnings
/// orange).
class PreflightPanel final : public juce::Component {
public:
    /// @thread GUI. Takes the preflight's state; repaints when it changed.
    void update(const Preflight& preflight);
    void paint(juce::Graphics& g) override;
    [[nodiscard]] bool done() const noexcept { return done_; }
    [[nodiscard]] int errors() const noexcept { return errors_; }

private:
    std::string summary_;
    std::vector<std::string> problems_;
    bool done_ = false;
    int errors_ = 0;
};

/// Before the device opens: the set's songs, "waiting for the JACK server" and why, and the
/// preflight. The runner's control thread does the waiting; this view shows it, and calls `opened`
/// once the show runs, `failed` with the message when it failed for a reason no waiting mends.
class WaitingView final : public juce::Component, private juce::Timer {
public:
    WaitingView(LiveSession& session, ShowRunner& runner, const Preflight& preflight, std::string waitingFor,
                std::function<void()> opened, std::function<void(const std::string&)> failed);
    ~WaitingView() override;
    void paint(juce::Graphics& g) override;
    void resized() override;

private:
    void timerCallback() override;

    LiveSession& session_;
    ShowRunner& runner_;
    const Preflight& preflight_;
    std::string waitingFor_, why_;
    std::function<void()> opened_;
    std::function<void(const std::string&)> failed_;
    PreflightPanel panel_;
    juce::Rectangle<int> setList_, status_;
    bool waitedShown_ = false;
};

} // namespace stemdeck::app
