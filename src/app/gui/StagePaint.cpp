// The stage view drawn: the set list, the song big with its position and tempo, its progress with
// markers and the A-B loop, and the footer (next song, device, faults, messages).
#include <algorithm>
#include <cmath>

#include "Palette.h"
#include "StageView.h"

namespace stemdeck::app {

namespace {
std::string clock(double seconds) {
    return control::clockText(seconds);
}
} // namespace

void StageView::paint(juce::Graphics& g) {
    g.fillAll(kBackground);
    paintHeader(g);
    paintProgress(g);
    paintFooter(g);
}

void StageView::paintHeader(juce::Graphics& g) {
    // Header: the song, big.
    g.setColour(kText);
    const float scale = static_cast<float>(position_.getHeight()) / 110.0f; // (a short screen: smaller)
    g.setFont(juce::Font(std::min(40.0f, static_cast<float>(header_.getHeight()) * 0.57f), juce::Font::bold));
    g.drawFittedText((status_.rolling ? "\u25B6 " : "\u2016 ") + status_.title, header_.reduced(16, 4),
                     juce::Justification::centredLeft, 1);
    // Position: bar.beat, elapsed / length, remaining.
    auto pos = position_.reduced(16, 0);
    g.setFont(juce::Font(72.0f * scale, juce::Font::bold));
    const std::string bar = status_.seconds < 0.0
                                ? "count-in " + std::to_string(status_.barBeat.beat)
                                : std::to_string(status_.barBeat.bar) + "." + std::to_string(status_.barBeat.beat);
    g.setColour(status_.seconds < 0.0 ? kSolo : kText);
    g.drawText(bar, pos.removeFromLeft(static_cast<int>(360.0f * scale)), juce::Justification::centredLeft);
    g.setFont(juce::Font(40.0f * scale));
    g.setColour(kText);
    g.drawText(clock(std::max(0.0, status_.seconds)) + " / " + clock(status_.lengthSeconds),
               pos.removeFromTop(pos.getHeight() / 2), juce::Justification::centredLeft);
    g.setColour(kAccent);
    if (status_.locked) { // plain to see from the stage: why nothing answers the mouse
        g.setColour(kMute);
        g.setFont(juce::Font(28.0f, juce::Font::bold));
        g.drawText("LOCKED - type unlock", header_.reduced(16, 4), juce::Justification::centredRight);
        g.setFont(juce::Font(40.0f * scale));
    }
    g.setColour(kAccent);
    // Appended piece by piece: GCC 12 at -O3 sees a false -Wrestrict in "-" + clock(…) here.
    std::string line = "-";
    line += clock(std::max(0.0, status_.lengthSeconds - status_.seconds));
    line += "   " + std::to_string(static_cast<int>(std::lround(status_.bpm))) + " BPM";
    if (!status_.stretch.empty()) line += "   " + status_.stretch;
    if (!status_.practiceLoop.empty())
        line += "   " + status_.practiceLoop;
    else if (status_.vamp)
        line += "   VAMP";
    if (status_.reference) line += "   A/B: REFERENCE";
    if (status_.scene >= 0 && status_.scene < static_cast<int>(status_.scenes.size())) // whole, as a button may not
        line += "   SCENE " + std::to_string(status_.scene + 1) + " " +
                status_.scenes[static_cast<std::size_t>(status_.scene)];
    g.drawText(line, pos, juce::Justification::centredLeft);
}

void StageView::paintProgress(juce::Graphics& g) {
    // Progress with the section markers.
    g.setColour(kPanel.brighter(0.2f));
    g.fillRoundedRectangle(progress_.toFloat(), 6.0f);
    if (status_.lengthSeconds > 0.0) {
        const double f = std::clamp(status_.seconds / status_.lengthSeconds, 0.0, 1.0);
        g.setColour(kAccent);
        g.fillRoundedRectangle(progress_.withWidth(static_cast<int>(f * progress_.getWidth())).toFloat(), 6.0f);
        if (status_.loopA >= 0.0) { // the A-B loop: A's line, and the range once B is set
            const auto x = [&](double at) {
                return progress_.getX() +
                       static_cast<int>(std::clamp(at / status_.lengthSeconds, 0.0, 1.0) * progress_.getWidth());
            };
            g.setColour(kSolo);
            if (status_.loopB > status_.loopA)
                g.fillRect(juce::Rectangle<int>(x(status_.loopA), progress_.getBottom() - 8,
                                                std::max(2, x(status_.loopB) - x(status_.loopA)), 8));
            g.fillRect(juce::Rectangle<int>(x(status_.loopA) - 1, progress_.getY(), 3, progress_.getHeight()));
        }
        g.setFont(juce::Font(14.0f, juce::Font::bold));
        for (const auto& [name, at] : status_.markers) {
            const int x = progress_.getX() + static_cast<int>(at / status_.lengthSeconds * progress_.getWidth());
            g.setColour(kText);
            g.drawVerticalLine(x, static_cast<float>(progress_.getY()), static_cast<float>(progress_.getBottom()));
            g.drawText(name, x + 3, progress_.getY(), 120, progress_.getHeight(), juce::Justification::centredLeft);
        }
    }
}

void StageView::paintFooter(juce::Graphics& g) {
    // Footer: the next song on the left, the health on the right (underruns, xruns, faults: short,
    // never cut); the device under them; then the log's newest lines, as many as fit, one under
    // the other. A line too long for the screen ends in an ellipsis.
    auto foot = footer_.reduced(16, 6);
    const juce::Font font(18.0f);
    g.setFont(font);
    std::string health = "underruns " + std::to_string(status_.underruns);
    if (status_.dropped > 0) health += "    COMMANDS LOST " + std::to_string(status_.dropped);
    health += "    xruns " + std::to_string(state_->health.xruns);
    if (state_->learning) health += "    MIDI LEARN";
    if (!state_->midiOut.said.empty()) health += state_->midiOut.clock ? "    MIDI CLOCK" : "    MIDI OUT";
    if (state_->midiOut.lost > 0) health += " LOST " + std::to_string(state_->midiOut.lost);
    if (!state_->timecode.said.empty())
        health += "    TC " + (state_->timecode.now.empty() ? std::string("--") : state_->timecode.now);
    if (!state_->link.said.empty()) { // Ableton Link: peers, and a start waiting for its bar
        health += "    LINK " + std::to_string(state_->link.peers);
        if (state_->link.waiting) health += " WAITING FOR THE BAR";
    }
    if (const int errors = preflightPanel_.errors(); errors > 0)
        health += "    CHECK: " + std::to_string(errors) + (errors == 1 ? " ERROR" : " ERRORS");
    if (!status_.locked) health += "    [,] settings";
    auto first = foot.removeFromTop(22);
    g.setColour(status_.underruns > 0 || status_.dropped > 0 ? kWarn : kDim);
    g.drawText(health, first.removeFromRight(std::min(first.getWidth() * 3 / 4, font.getStringWidth(health) + 8)),
               juce::Justification::centredRight, true);
    g.setColour(kText);
    g.drawText("next: " + (status_.nextTitle.empty() ? std::string("(end of set)") : status_.nextTitle),
               first.withTrimmedRight(12), juce::Justification::centredLeft, true);
    g.setFont(juce::Font(16.0f));
    g.setColour(state_->health.devicePlaying ? kDim : kMute);
    g.drawText(state_->health.devicePlaying
                   ? state_->health.device + (state_->midiOut.said.empty() ? "" : "    " + state_->midiOut.said)
                   : "DEVICE LOST - waiting for it",
               foot.removeFromTop(22), juce::Justification::centredLeft, true);
    g.setColour(status_.underruns > 0 || status_.dropped > 0 ? kWarn : kText);
    g.setFont(juce::Font(15.0f));
    const auto lines = static_cast<std::size_t>(footerLines());
    for (std::size_t i = messages_.size() > lines ? messages_.size() - lines : 0; i < messages_.size(); ++i)
        g.drawText(messages_[i], foot.removeFromTop(16), juce::Justification::centredLeft, true);
}

} // namespace stemdeck::app
