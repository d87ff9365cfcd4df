#pragma once
// Tonight's running order on the stage screen: the songs in the order they play tonight (the one
// playing highlighted, the next one marked, cut songs struck through, played ones dimmed), and,
// for the song picked with a click, UP / DOWN / NEXT (plays after this one) / SKIP (cut, or back),
// and ADD (a song of the set not tonight, or a folder). Every edit is an action through the GUI's
// router input (move_song, play_next, toggle_skip, add_song), shown once the show state says so.
#include <juce_gui_basics/juce_gui_basics.h>

#include <array>
#include <memory>
#include <string>

#include "stemdeck/app/LiveSession.h"

namespace stemdeck::app {

class RunningOrderPanel final : public juce::Component {
public:
    explicit RunningOrderPanel(LiveSession& session);
    /// @thread GUI. The state as published now (every frame).
    void update(const std::shared_ptr<const control::ShowState>& state);
    void paint(juce::Graphics& g) override;
    void resized() override;
    void mouseDown(const juce::MouseEvent& event) override;
    /// Where the rows and buttons are, in screen pixels (for tests driving them with xdotool).
    [[nodiscard]] std::string layoutReport() const;

private:
    static constexpr int kRowHeight = 34;
    void send(control::Action action, int song, int place = 0);
    void showAddMenu();
    [[nodiscard]] int placeOfPicked() const; ///< 0-based, -1: none picked (or gone)

    LiveSession& session_;
    std::shared_ptr<const control::ShowState> state_;
    std::string shown_; ///< what the rows show, to repaint only on a change
    int picked_ = 0;    ///< the song picked (its number), 0: none
    juce::Rectangle<int> rows_;
    std::array<juce::TextButton, 5> buttons_{juce::TextButton{"UP"}, juce::TextButton{"DOWN"}, juce::TextButton{"NEXT"},
                                             juce::TextButton{"SKIP"}, juce::TextButton{"ADD"}};
    std::unique_ptr<juce::FileChooser> chooser_;
};

} // namespace stemdeck::app
