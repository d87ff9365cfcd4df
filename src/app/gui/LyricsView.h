#pragma once
// The lyrics view: what a singer reads from two metres. The line sung now, large, its chords
// above their syllables; the next line below it; the section, and how long until the next line.
// With lines not timed yet, the line a tap (t) stamps. A view of the published status only.
#include <juce_gui_basics/juce_gui_basics.h>

#include "stemdeck/control/PlayerStatus.h"

namespace stemdeck::app {

class LyricsView final : public juce::Component {
public:
    /// @thread GUI. The status's lyrics; repaints when they changed.
    void update(const control::LyricsNow& now);
    void paint(juce::Graphics& g) override;
    /// What it shows, one line each (tests: the line sung at a position, read off the screen's state).
    [[nodiscard]] std::string report() const;

private:
    control::LyricsNow now_;
};

/// @thread GUI. Draws `line` in `area` with its chords above the syllables they stand over;
/// `size` is the words' font height (the chords' is 3/4 of it, in the accent colour).
void paintLyricLine(juce::Graphics& g, const control::LyricShown& line, juce::Rectangle<float> area, float size,
                    juce::Colour words);

} // namespace stemdeck::app
