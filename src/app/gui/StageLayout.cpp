// The stage view's layout: where everything goes at any screen size, from a 1024x600 stage monitor
// to 1920x1080; and the report of it the tests click by.
#include <algorithm>
#include <iostream>
#include <utility>

#include "OneLineLook.h"
#include "StageView.h"

namespace stemdeck::app {

namespace {
constexpr int kFooterHeight = 90, kFooterFirstLines = 2 * 22, kMessageLine = 16;
constexpr int kButtonRow = 48; ///< a row of scene or utility buttons
// PANIC, LOCK and the four tempo and key buttons, right of the scenes.
constexpr int kPanicWidth = 110, kLockWidth = 170, kStretchWidth = 78;
} // namespace

int StageView::footerLines() {
    return (kFooterHeight - 12 - kFooterFirstLines) / kMessageLine;
}

std::string StageView::layoutReport() const {
    std::string out;
    for (std::size_t i = 0; i < strips_.size(); ++i) {
        if (!strips_[i]->isVisible()) continue;
        const auto m = strips_[i]->mute.getScreenBounds().getCentre();
        const auto s = strips_[i]->solo.getScreenBounds().getCentre();
        out += "layout: stem " + std::to_string(i + 1) + " mute " + std::to_string(m.x) + "," + std::to_string(m.y) +
               " solo " + std::to_string(s.x) + "," + std::to_string(s.y) + "\n";
    }
    if (const auto* top = getTopLevelComponent()) {
        const auto b = top->getScreenBounds();
        out += "layout: window " + std::to_string(b.getX()) + "," + std::to_string(b.getY()) + " " +
               std::to_string(b.getWidth()) + "x" + std::to_string(b.getHeight()) + "\n";
    }
    out += order_.layoutReport();
    if (join_.isVisible()) {
        const auto j = join_.getScreenBounds().getCentre();
        out += "layout: join " + std::to_string(j.x) + "," + std::to_string(j.y) + "\n";
    }
    const auto p = panic_.getScreenBounds().getCentre(), l = lock_.getScreenBounds().getCentre();
    out += "layout: panic " + std::to_string(p.x) + "," + std::to_string(p.y) + " lock " + std::to_string(l.x) + "," +
           std::to_string(l.y) + "\n";
    constexpr std::array<const char*, 4> names{"tempo_down", "tempo_up", "transpose_down", "transpose_up"};
    for (std::size_t k = 0; k < stretch_.size(); ++k) {
        const auto c = stretch_[k].getScreenBounds().getCentre();
        out += std::string("layout: ") + names[k] + " " + std::to_string(c.x) + "," + std::to_string(c.y) + "\n";
    }
    constexpr std::array<const char*, 3> loopNames{"loop_a", "loop_b", "loop_count_in"};
    for (std::size_t k = 0; k < practice_.size(); ++k) {
        const auto c = practice_[k].getScreenBounds().getCentre();
        out += std::string("layout: ") + loopNames[k] + " " + std::to_string(c.x) + "," + std::to_string(c.y) + "\n";
    }
    if (guides_.isVisible()) {
        const auto c = guides_.getScreenBounds().getCentre();
        out += "layout: guides " + std::to_string(c.x) + "," + std::to_string(c.y) + "\n";
    }
    for (std::size_t k = 0; k < scenes_.size(); ++k) {
        const juce::TextButton& b = scenes_[k];
        if (!b.isVisible()) continue;
        const auto c = b.getScreenBounds().getCentre();
        // whole: the button is as wide as its name needs; else it shows it shortened (…)
        const bool whole = b.getWidth() >= OneLineLook::widthFor(b.getButtonText(), b.getHeight()) - 4;
        out += "layout: scene " + std::to_string(k + 1) + " " + std::to_string(c.x) + "," + std::to_string(c.y) + " " +
               std::to_string(b.getWidth()) + "x" + std::to_string(b.getHeight()) + (whole ? " whole" : " shortened") +
               "\n";
    }
    out += "layout: scene rows " + std::to_string(sceneRows_) + ", footer " + std::to_string(footerLines()) +
           " message lines of 16 px\n";
    return out;
}

void StageView::resized() {
    auto r = getLocalBounds();
    footer_ = r.removeFromBottom(kFooterHeight);
    setList_ = r.removeFromLeft(240);
    {
        auto list = setList_;
        if (join_.isVisible()) join_.setBounds(list.removeFromBottom(56).reduced(10, 6));
        order_.setBounds(list);
    }
    // A short screen (a 1024x600 stage monitor) gets a tighter head, so the strips keep their faders.
    const bool shortScreen = getHeight() < 700;
    header_ = r.removeFromTop(shortScreen ? 56 : 70);
    position_ = r.removeFromTop(shortScreen ? 84 : 110);
    {
        auto row = r.removeFromTop(shortScreen ? 44 : 50);
        row.removeFromRight(12); // (the scene bar's margin)
        auto buttons = row.removeFromRight(5 * 72).reduced(0, 6);
        lyrics_.setBounds(buttons.removeFromLeft(72).reduced(2, 0)); // (hidden without lyrics: its place stays)
        guides_.setBounds(buttons.removeFromLeft(72).reduced(2, 0)); // (hidden without a guide: its place stays)
        for (auto& b : practice_)
            b.setBounds(buttons.removeFromLeft(72).reduced(2, 0));
        progress_ = row.reduced(16, 8);
    }
    // The scenes, each as wide as its name, beside PANIC, LOCK, tempo and key when they all fit
    // (1280 wide and up for the example set); else on a row of their own above them. Names that
    // do not fit even there share the row equally, shortened with an ellipsis (the header shows
    // the scene in play whole, a button's tooltip its name).
    const int buttonRow = shortScreen ? kButtonRow - 6 : kButtonRow;
    const int buttonHeight = buttonRow - 2 * 4 - 2 * 2;   // (the row's margin, the button's)
    std::vector<std::pair<juce::TextButton*, int>> shown; // each with the width its whole name needs
    int want = 0;
    for (auto& b : scenes_)
        if (b.isVisible()) {
            shown.emplace_back(&b, OneLineLook::widthFor(b.getButtonText(), buttonHeight));
            want += shown.back().second;
        }
    auto first = r.removeFromTop(buttonRow).reduced(12, 4);
    const int utilityWidth = kLockWidth + kPanicWidth + static_cast<int>(stretch_.size()) * kStretchWidth;
    const bool oneRow = want + utilityWidth <= first.getWidth();
    sceneRows_ = oneRow ? 1 : 2;
    auto utility = oneRow ? first : r.removeFromTop(buttonRow).reduced(12, 4);
    sceneBar_ = first.getUnion(utility);
    lock_.setBounds(utility.removeFromRight(kLockWidth).reduced(2));
    panic_.setBounds(utility.removeFromRight(kPanicWidth).reduced(2));
    for (std::size_t k = stretch_.size(); k-- > 0;)
        stretch_[k].setBounds(utility.removeFromRight(kStretchWidth).reduced(2));
    auto sceneRow = oneRow ? utility : first;
    const bool fit = want <= sceneRow.getWidth();
    const int equal = shown.empty() ? 0 : sceneRow.getWidth() / static_cast<int>(shown.size());
    for (const auto& [b, width] : shown)
        b->setBounds(sceneRow.removeFromLeft(fit ? width : equal).reduced(2));

    stripsArea_ = r.reduced(8);
    int visible = 0;
    for (const auto& s : strips_)
        visible += s->isVisible() ? 1 : 0;
    const int w = stripsArea_.getWidth() / std::max(1, visible);
    auto area = stripsArea_;
    for (const auto& s : strips_)
        if (s->isVisible()) s->setBounds(area.removeFromLeft(w));
    preflightPanel_.setBounds(stripsArea_);
    lyricsView_.setBounds(stripsArea_);
    joinPanel_.setBounds(getLocalBounds().withTrimmedTop(header_.getBottom()).withTrimmedBottom(kFooterHeight));
    if (layoutReported_) std::cerr << layoutReport() << std::flush; // (tests: laid out again, say so again)
}

} // namespace stemdeck::app
