#include "LyricsView.h"

#include <cmath>

#include "Palette.h"

namespace stemdeck::app {

namespace {

juce::String utf8(const std::string& s) {
    return juce::String::fromUTF8(s.data(), static_cast<int>(s.size()));
}

/// A chord's name as shown: an annotation ([*Riff]) without its star.
juce::String chordName(const std::string& name) {
    return utf8(!name.empty() && name.front() == '*' ? name.substr(1) : name);
}

} // namespace

void LyricsView::update(const control::LyricsNow& now) {
    if (now == now_) return;
    now_ = now;
    repaint();
}

void paintLyricLine(juce::Graphics& g, const control::LyricShown& line, juce::Rectangle<float> area, float size,
                    juce::Colour words) {
    const juce::Font wordFont(size, juce::Font::bold);
    const juce::Font chordFont(size * 0.75f, juce::Font::bold);
    const juce::String text = utf8(line.text);
    // Shrunk to fit the width: a long line stays one line, the chords over the right syllables.
    float scale = 1.0f;
    if (const float w = wordFont.getStringWidthFloat(text); w > area.getWidth() && w > 0.0f)
        scale = area.getWidth() / w;
    const juce::Font words1 = wordFont.withHeight(size * scale), chords1 = chordFont.withHeight(size * 0.75f * scale);
    const float left = area.getX() + (area.getWidth() - words1.getStringWidthFloat(text)) / 2.0f;
    const float chordTop = area.getY(), wordTop = area.getY() + chords1.getHeight();
    g.setFont(chords1);
    g.setColour(kAccent);
    float nextFree = area.getX();
    for (const set::LyricChord& c : line.chords) {
        // The chord starts over its syllable (the width of the words before it), never over the
        // chord before it.
        const juce::String before = utf8(line.text.substr(0, std::min(c.at, line.text.size())));
        const float x = std::max(nextFree, left + words1.getStringWidthFloat(before));
        const juce::String name = chordName(c.name);
        g.drawText(name,
                   juce::Rectangle<float>(x, chordTop, chords1.getStringWidthFloat(name) + 4.0f, chords1.getHeight()),
                   juce::Justification::centredLeft, false);
        nextFree = x + chords1.getStringWidthFloat(name + " ");
    }
    g.setFont(words1);
    g.setColour(words);
    g.drawText(text, juce::Rectangle<float>(left, wordTop, area.getRight() - left, words1.getHeight()),
               juce::Justification::centredLeft, false);
}

void LyricsView::paint(juce::Graphics& g) {
    auto r = getLocalBounds().toFloat().reduced(16.0f);
    g.setColour(kPanel);
    g.fillRoundedRectangle(getLocalBounds().toFloat(), 6.0f);
    if (!now_.present) {
        g.setColour(kDim);
        g.setFont(juce::Font(22.0f));
        g.drawText("This song has no lyrics (lyrics.lrc or a ChordPro file in its folder)", r,
                   juce::Justification::centred);
        return;
    }
    const float big = std::clamp(r.getHeight() / 5.0f, 28.0f, 72.0f);
    // The section and the wait for the next line, small, at the top.
    auto top = r.removeFromTop(30.0f);
    g.setFont(juce::Font(22.0f, juce::Font::bold));
    g.setColour(kSolo);
    g.drawText(utf8(now_.section), top, juce::Justification::centredLeft);
    if (now_.nextIn >= 0.0 && now_.nextIn < 60.0) {
        g.setColour(kDim);
        g.drawText("next in " + juce::String(std::ceil(now_.nextIn * 10.0) / 10.0, 1) + " s", top,
                   juce::Justification::centredRight);
    }
    r.removeFromTop(r.getHeight() * 0.12f);
    paintLyricLine(g, now_.line, r.removeFromTop(big * 1.9f), big, kText);
    r.removeFromTop(big * 0.4f);
    paintLyricLine(g, now_.next, r.removeFromTop(big * 0.6f * 1.9f), big * 0.6f, kDim);
    if (now_.untimed > 0 && now_.tapLine >= 0) { // tap-to-time: what the next tap stamps
        g.setColour(kWarn);
        g.setFont(juce::Font(20.0f));
        g.drawText(juce::String(now_.untimed) + (now_.untimed == 1 ? " line" : " lines") +
                       " not timed yet. Tap t as each starts; next tap: line " + juce::String(now_.tapLine + 1) + " '" +
                       utf8(now_.tapText) + "'",
                   r.removeFromBottom(28.0f), juce::Justification::centredLeft);
    }
}

std::string LyricsView::report() const {
    return "section '" + now_.section + "' line " + std::to_string(now_.index + 1) + " '" + now_.line.text +
           "' next '" + now_.next.text + "'";
}

} // namespace stemdeck::app
