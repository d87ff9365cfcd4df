#include "RunningOrderPanel.h"

#include "Palette.h"
#include "stemdeck/common/Text.h"

namespace stemdeck::app {

namespace {
enum Button : std::size_t { up, down, next, skip, add };
constexpr std::array<const char*, 5> kTips{
    "The picked song one place earlier tonight (move_song)", "The picked song one place later tonight (move_song)",
    "The picked song plays after the one playing (play_next)",
    "Cuts the picked song tonight, or brings it back (toggle_skip)",
    "Adds a song of the set that is not in tonight's order, or a folder, at the end (add_song)"};
} // namespace

RunningOrderPanel::RunningOrderPanel(LiveSession& session) : session_(session) {
    for (std::size_t k = 0; k < buttons_.size(); ++k) {
        juce::TextButton& b = buttons_[k];
        b.setColour(juce::TextButton::buttonColourId, kPanel.brighter(0.15f));
        b.setColour(juce::TextButton::textColourOffId, kText);
        b.setTooltip(kTips[k]);
        b.setWantsKeyboardFocus(false);
        addAndMakeVisible(b);
    }
    buttons_[up].onClick = [this] {
        if (const int p = placeOfPicked(); p > 0)
            send(control::Action::moveSong, picked_, p); // to place p (1-based: one up)
    };
    buttons_[down].onClick = [this] {
        if (const int p = placeOfPicked(); p >= 0) send(control::Action::moveSong, picked_, p + 2);
    };
    buttons_[next].onClick = [this] {
        if (placeOfPicked() >= 0) send(control::Action::playNext, picked_);
    };
    buttons_[skip].onClick = [this] {
        if (placeOfPicked() >= 0) send(control::Action::toggleSkip, picked_);
    };
    buttons_[add].onClick = [this] { showAddMenu(); };
    setWantsKeyboardFocus(false);
}

void RunningOrderPanel::send(control::Action action, int song, int place) {
    control::ActionCall c;
    c.action = action;
    c.value = static_cast<float>(song - 1);
    c.to = place;
    session_.send(c);
}

int RunningOrderPanel::placeOfPicked() const {
    if (!state_ || picked_ <= 0) return -1;
    for (std::size_t i = 0; i < state_->songs.size(); ++i)
        if (state_->songs[i].number == picked_) return static_cast<int>(i);
    return -1;
}

void RunningOrderPanel::showAddMenu() {
    if (!state_) return;
    juce::PopupMenu menu;
    for (const control::ShowSong& s : state_->notTonight)
        menu.addItem(s.number, std::to_string(s.number) + ". " + oneLine(s.title));
    if (!state_->notTonight.empty()) menu.addSeparator();
    menu.addItem(-1, "A folder...");
    menu.showMenuAsync(juce::PopupMenu::Options().withTargetComponent(&buttons_[add]), [this](int chosen) {
        if (chosen > 0) {
            send(control::Action::addSong, chosen);
        } else if (chosen == -1) {
            chooser_ = std::make_unique<juce::FileChooser>("A song's stem folder to add tonight");
            chooser_->launchAsync(juce::FileBrowserComponent::openMode |
                                      juce::FileBrowserComponent::canSelectDirectories,
                                  [this](const juce::FileChooser& fc) {
                                      const juce::File f = fc.getResult();
                                      if (f != juce::File()) session_.addFolder(f.getFullPathName().toStdString());
                                  });
        }
    });
}

void RunningOrderPanel::update(const std::shared_ptr<const control::ShowState>& state) {
    state_ = state;
    std::string shown = std::to_string(picked_) + ";" + std::to_string(state->player.song) + ";" +
                        std::to_string(state->cuedSong) + ";" + state->setName;
    for (const control::ShowSong& s : state->songs)
        shown += std::to_string(s.number) + (s.skipped ? "s" : "") + (s.played ? "p" : "") + s.title + ";";
    const bool locked = state->locked;
    const int p = placeOfPicked();
    const bool playing = p >= 0 && state->songs[static_cast<std::size_t>(p)].number == state->player.song;
    buttons_[up].setEnabled(!locked && p > 0);
    buttons_[down].setEnabled(!locked && p >= 0 && p + 1 < static_cast<int>(state->songs.size()));
    buttons_[next].setEnabled(!locked && p >= 0 && !playing);
    buttons_[skip].setEnabled(!locked && p >= 0 && !(playing && state->player.rolling));
    buttons_[skip].setButtonText(p >= 0 && state->songs[static_cast<std::size_t>(p)].skipped ? "UNSKIP" : "SKIP");
    buttons_[add].setEnabled(!locked);
    if (shown != shown_) {
        shown_ = std::move(shown);
        repaint();
    }
}

void RunningOrderPanel::resized() {
    auto r = getLocalBounds().reduced(8, 0);
    auto bar = r.removeFromBottom(92).reduced(0, 4);
    auto top = bar.removeFromTop(bar.getHeight() / 2).reduced(0, 2);
    auto bottom = bar.reduced(0, 2);
    const int w3 = top.getWidth() / 3;
    buttons_[up].setBounds(top.removeFromLeft(w3).reduced(2, 0));
    buttons_[down].setBounds(top.removeFromLeft(w3).reduced(2, 0));
    buttons_[next].setBounds(top.reduced(2, 0));
    buttons_[skip].setBounds(bottom.removeFromLeft(bottom.getWidth() / 2).reduced(2, 0));
    buttons_[add].setBounds(bottom.reduced(2, 0));
    rows_ = r.withTrimmedTop(40);
}

void RunningOrderPanel::paint(juce::Graphics& g) {
    g.fillAll(kPanel);
    auto head = getLocalBounds().reduced(12, 0).removeFromTop(40);
    g.setColour(kDim);
    g.setFont(juce::Font(16.0f, juce::Font::bold));
    g.drawText(juce::String(state_ && !state_->setName.empty() ? state_->setName : std::string("SET")) + " - TONIGHT",
               head, juce::Justification::centredLeft);
    if (!state_) return;
    auto list = rows_;
    for (std::size_t i = 0; i < state_->songs.size() && list.getHeight() >= kRowHeight; ++i) {
        const control::ShowSong& s = state_->songs[i];
        const bool current = s.number == state_->player.song, cued = static_cast<int>(i) == state_->cuedSong;
        auto row = list.removeFromTop(kRowHeight);
        if (s.number == picked_) {
            g.setColour(kText.withAlpha(0.6f));
            g.drawRoundedRectangle(row.toFloat().reduced(1.0f), 4.0f, 2.0f);
        }
        if (current) {
            g.setColour(kAccent.withAlpha(0.25f));
            g.fillRoundedRectangle(row.toFloat(), 4.0f);
        }
        g.setColour(current ? kText : s.skipped || (s.played && !current) ? kDim.darker(0.4f) : cued ? kAccent : kDim);
        g.setFont(juce::Font(current ? 20.0f : 17.0f, current ? juce::Font::bold : juce::Font::plain));
        const std::string text = std::to_string(i + 1) + ". " + oneLine(s.title) +
                                 (s.played && !current ? "  \u2713" : "") + (cued ? "  (next)" : "") +
                                 (s.skipped ? "  (cut)" : "");
        const auto area = row.reduced(6, 0);
        g.drawFittedText(text, area, juce::Justification::centredLeft, 1);
        if (s.skipped) { // struck through
            const float y = static_cast<float>(area.getCentreY());
            g.drawLine(static_cast<float>(area.getX()), y, static_cast<float>(area.getRight()) - 8.0f, y, 1.5f);
        }
    }
}

void RunningOrderPanel::mouseDown(const juce::MouseEvent& event) {
    if (!state_ || !rows_.contains(event.getPosition())) return;
    const auto i = static_cast<std::size_t>((event.getPosition().y - rows_.getY()) / kRowHeight);
    if (i < state_->songs.size()) picked_ = state_->songs[i].number == picked_ ? 0 : state_->songs[i].number;
    update(state_);
}

std::string RunningOrderPanel::layoutReport() const {
    std::string out;
    if (state_)
        for (std::size_t i = 0; i < state_->songs.size(); ++i) {
            const auto c = localPointToGlobal(
                juce::Point<int>(rows_.getCentreX(), rows_.getY() + static_cast<int>(i) * kRowHeight + kRowHeight / 2));
            out += "layout: order row " + std::to_string(i + 1) + " " + std::to_string(c.x) + "," +
                   std::to_string(c.y) + "\n";
        }
    constexpr std::array<const char*, 5> names{"up", "down", "next", "skip", "add"};
    for (std::size_t k = 0; k < buttons_.size(); ++k) {
        const auto c = buttons_[k].getScreenBounds().getCentre();
        out += std::string("layout: order ") + names[k] + " " + std::to_string(c.x) + "," + std::to_string(c.y) + "\n";
    }
    return out;
}

} // namespace stemdeck::app
