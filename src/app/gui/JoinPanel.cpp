#include "JoinPanel.h"

#include <algorithm>

#include "Palette.h"

namespace stemdeck::app {

namespace {
/// A QR code in `area`, dark modules on white, as large as fits in whole pixels a module.
void paintCode(juce::Graphics& g, const std::string& text, juce::Rectangle<int> area) {
    const auto m = qrModules(text);
    if (m.empty()) return;
    const int n = static_cast<int>(m.size());
    const int scale = std::max(1, std::min(area.getWidth(), area.getHeight()) / n);
    const auto box = juce::Rectangle<int>(n * scale, n * scale).withCentre(area.getCentre());
    g.setColour(juce::Colours::white);
    g.fillRect(box);
    g.setColour(juce::Colours::black);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
            if (m[static_cast<std::size_t>(y)][static_cast<std::size_t>(x)])
                g.fillRect(box.getX() + x * scale, box.getY() + y * scale, scale, scale);
}
} // namespace

JoinPanel::JoinPanel() {
    setVisible(false);
    setAlwaysOnTop(true);
}

void JoinPanel::toggle(std::vector<JoinLink> links) {
    if (isVisible()) {
        setVisible(false);
        return;
    }
    links_ = std::move(links);
    shownAt_ = juce::Time::getMillisecondCounter();
    setVisible(true);
    toFront(false);
    repaint();
}

void JoinPanel::update(const std::vector<JoinLink>& links) {
    if (!isVisible()) return;
    if (juce::Time::getMillisecondCounter() - shownAt_ >= kShownMs) {
        setVisible(false);
        return;
    }
    if (links.size() != links_.size() ||
        !std::equal(links.begin(), links.end(), links_.begin(), [](const JoinLink& a, const JoinLink& b) {
            return a.band == b.band && a.control == b.control;
        })) {
        links_ = links;
        repaint();
    }
}

void JoinPanel::paint(juce::Graphics& g) {
    g.fillAll(kBackground.withAlpha(0.97f));
    auto r = getLocalBounds().reduced(16);
    g.setColour(kText);
    g.setFont(juce::Font(22.0f, juce::Font::bold));
    g.drawText("Join the web remote: scan with a phone (gone in a minute; click or J hides it)",
               r.removeFromTop(30), juce::Justification::centredLeft);
    if (links_.empty()) {
        g.drawText("The web remote is not open yet (see the messages below)", r, juce::Justification::centred);
        return;
    }
    const int rows = static_cast<int>(links_.size());
    const int rowHeight = r.getHeight() / std::max(1, rows);
    for (const JoinLink& l : links_) {
        auto row = r.removeFromTop(rowHeight).reduced(0, 6);
        auto band = row.removeFromLeft(row.getWidth() / 2).reduced(8, 0);
        auto control = row.reduced(8, 0);
        const std::string where = l.interface.empty() ? l.address : l.address + " (" + l.interface + ")";
        g.setFont(juce::Font(18.0f, juce::Font::bold));
        g.setColour(kText);
        g.drawText("BAND VIEW (watch) - " + where, band.removeFromTop(24), juce::Justification::centred);
        g.setColour(kMute);
        g.drawText("CONTROL (drives the show: do not film)", control.removeFromTop(24), juce::Justification::centred);
        g.setFont(juce::Font(14.0f));
        g.setColour(kText.withAlpha(0.7f));
        g.drawText(l.band.substr(0, l.band.find('#')), band.removeFromBottom(20), juce::Justification::centred);
        g.drawText(l.control.substr(0, l.control.find('#')), control.removeFromBottom(20), juce::Justification::centred);
        paintCode(g, l.band, band.reduced(4));
        paintCode(g, l.control, control.reduced(4));
    }
}

} // namespace stemdeck::app
