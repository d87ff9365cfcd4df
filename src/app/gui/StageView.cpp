#include "StageView.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <iostream>

#include "Palette.h"
#include "SettingsPanel.h"
#include "stemdeck/common/Db.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/formats/Scan.h"
#include "stemdeck/common/Thread.h"
#include "stemdeck/set/StemFolder.h"

namespace stemdeck::app {

StageView::StageView(LiveSession& session, ShowRunner& runner, app::LiveSettings settings,
                     std::filesystem::path settingsFile)
    : session_(session), runner_(runner), state_(session.state().latest()), settings_(std::move(settings)),
      settingsFile_(std::move(settingsFile)) {
    setWantsKeyboardFocus(true);
    for (int i = 0; i < engine::kMaxStems; ++i) {
        strips_.push_back(std::make_unique<StemStrip>(session, i));
        addChildComponent(*strips_.back());
    }
    for (int k = 0; k < engine::kMaxScenes; ++k) {
        juce::TextButton& b = scenes_[static_cast<std::size_t>(k)];
        b.setClickingTogglesState(false);
        b.setColour(juce::TextButton::buttonColourId, kPanel.brighter(0.15f));
        b.setColour(juce::TextButton::buttonOnColourId, kAccent);
        b.setColour(juce::TextButton::textColourOffId, kText);
        b.setColour(juce::TextButton::textColourOnId, juce::Colours::black);
        b.setLookAndFeel(&sceneLook_);
        b.onClick = [this, k] { sceneClicked(k); };
        addChildComponent(b);
    }
    if (session_.webOn()) { // the web remote's join codes, on demand
        join_.setColour(juce::TextButton::buttonColourId, kPanel.brighter(0.15f));
        join_.setColour(juce::TextButton::textColourOffId, kText);
        join_.setTooltip("The QR codes that join phones and tablets to the web remote, for a minute (J)");
        join_.onClick = [this] { toggleJoin(); };
        addAndMakeVisible(join_);
    }
    addChildComponent(joinPanel_);
    panic_.setColour(juce::TextButton::buttonColourId, kMute.darker(0.3f));
    panic_.setColour(juce::TextButton::textColourOffId, kText);
    panic_.setTooltip("Every stem back to the song's start state (z)");
    panic_.onClick = [this] {
        control::ActionCall c;
        c.action = control::Action::panic;
        session_.send(c);
    };
    lock_.setColour(juce::TextButton::buttonColourId, kPanel.brighter(0.15f));
    lock_.setColour(juce::TextButton::textColourOffId, kText);
    // Locking is one click; unlocking is a long press (2 s) or typing the word unlock.
    lock_.onStateChange = [this] {
        if (!session_.locked()) return;
        if (lock_.isDown()) {
            lockDownAt_ = juce::Time::getMillisecondCounter();
        } else if (lockDownAt_ != 0) {
            const bool held = juce::Time::getMillisecondCounter() - lockDownAt_ >= 2000;
            lockDownAt_ = 0;
            if (held) {
                control::ActionCall c;
                c.action = control::Action::unlock;
                session_.send(c);
            }
        }
    };
    lock_.onClick = [this] {
        if (session_.locked()) return;
        control::ActionCall c;
        c.action = control::Action::lock;
        session_.send(c);
    };
    // The rehearsal buttons: each sends its action, a step a click.
    const auto actionButton = [this](juce::TextButton& b, control::Action a, const char* tip) {
        b.setColour(juce::TextButton::buttonColourId, kPanel.brighter(0.15f));
        b.setColour(juce::TextButton::textColourOffId, kText);
        b.setTooltip(tip);
        b.onClick = [this, a] {
            control::ActionCall c;
            c.action = a;
            session_.send(c);
        };
        addAndMakeVisible(b);
    };
    actionButton(stretch_[0], control::Action::tempoDown, "5% slower, from the next beat (-)");
    actionButton(stretch_[1], control::Action::tempoUp, "5% faster, from the next beat (+)");
    actionButton(stretch_[2], control::Action::transposeDown, "A semitone down, from the next beat (<)");
    actionButton(stretch_[3], control::Action::transposeUp, "A semitone up, from the next beat (>)");
    actionButton(practice_[0], control::Action::loopA, "A-B loop: A on this bar's first beat (a)");
    actionButton(practice_[1], control::Action::loopB,
                 "A-B loop: B at the end of this bar, and loop (b); v lets it go");
    actionButton(practice_[2], control::Action::loopCountIn, "A-B loop: a count-in before each pass, or none (i)");
    actionButton(guides_, control::Action::guides, "The spoken guide cues: off, or on again (h)");
    lyrics_.setColour(juce::TextButton::textColourOffId, kText);
    lyrics_.setColour(juce::TextButton::buttonColourId, kPanel.brighter(0.15f));
    lyrics_.setTooltip("This screen: the song's lyrics and chords, or the stems");
    lyrics_.onClick = [this] { showLyrics(!lyricsShown_); };
    addChildComponent(lyrics_);
    addChildComponent(lyricsView_);
    addAndMakeVisible(panic_);
    addAndMakeVisible(order_);
    addAndMakeVisible(lock_);
    setSize(1280, 800);
    startTimerHz(30);
}

void StageView::showLyrics(bool on) {
    lyricsShown_ = on;
    lyricsView_.setVisible(on);
    for (std::size_t i = 0; i < strips_.size(); ++i)
        strips_[i]->setVisible(!on && i < status_.stems.size());
    lyrics_.setColour(juce::TextButton::buttonColourId, on ? kAccent.darker(0.4f) : kPanel.brighter(0.15f));
    resized();
}

void StageView::showPreflight(const Preflight& preflight) {
    preflight_ = &preflight;
    addChildComponent(preflightPanel_); // over the strips (added last: on top)
    resized();
}

void StageView::sceneClicked(int slot) {
    control::ActionCall c;
    c.action =
        juce::ModifierKeys::currentModifiers.isShiftDown() ? control::Action::storeScene : control::Action::scene;
    c.value = static_cast<float>(slot);
    session_.send(c);
}

StageView::~StageView() {
    stopTimer();
    for (auto& b : scenes_)
        b.setLookAndFeel(nullptr);
}

void StageView::message(std::string line) {
    messages_.push_back(std::move(line));
    while (messages_.size() > static_cast<std::size_t>(footerLines()))
        messages_.pop_front();
}

void StageView::timerCallback() {
    // A view of the published state: the show's tick runs on the control thread, never here.
    state_ = session_.state().latest();
    status_ = state_->player;
    order_.update(state_);
    if (joinPanel_.isVisible()) {
        if (session_.locked())
            joinPanel_.setVisible(false);
        else
            joinPanel_.update(session_.joinLinks());
    }
    if (traceState_) // (the end-to-end tests: the same lines as play's)
        if (std::string mix = control::describeMix(*state_); mix != traced_) {
            traced_ = std::move(mix);
            std::cerr << "stemdeck-gui: state: " << traced_ << std::endl;
        }
    lyricsView_.update(status_.lyrics);
    if (traceState_ && lyricsShown_)
        if (std::string shown = lyricsView_.report(); shown != tracedLyrics_) {
            tracedLyrics_ = std::move(shown);
            char at[32];
            std::snprintf(at, sizeof at, "%.3f", status_.seconds);
            std::cerr << "stemdeck-gui: lyrics at " << at << " s: " << tracedLyrics_ << std::endl;
        }
    if (preflight_ != nullptr) {
        everRolled_ = everRolled_ || status_.rolling;
        preflightPanel_.update(*preflight_);
        preflightPanel_.setVisible(!everRolled_);
    }
    if (status_.song != overviewSong_ && status_.song >= 1 &&
        static_cast<std::size_t>(status_.song) <= session_.songs().size()) {
        overviewSong_ = status_.song;
        overviews_.compute(session_.songs()[static_cast<std::size_t>(status_.song - 1)].source, status_.song);
    }
    ++frames_;
    const bool blinkOn = (frames_ / 4) % 2 == 0;
    for (std::size_t i = 0; i < strips_.size(); ++i) {
        const bool used = i < status_.stems.size();
        if (strips_[i]->isVisible() != (used && !lyricsShown_)) {
            strips_[i]->setVisible(used && !lyricsShown_);
            resized();
        }
        if (used) strips_[i]->update(status_.stems[i], overviews_.get(status_.song, static_cast<int>(i)), blinkOn);
    }
    bool scenesChanged = false;
    for (std::size_t k = 0; k < scenes_.size(); ++k) {
        juce::TextButton& b = scenes_[k];
        const std::string name = k < status_.scenes.size() ? status_.scenes[k] : "";
        const bool used = !name.empty();
        if (b.isVisible() != used) {
            b.setVisible(used);
            scenesChanged = true;
        }
        const juce::String label = juce::String(std::to_string(k + 1) + " " + name);
        if (b.getButtonText() != label) { // its width follows its name
            b.setButtonText(label);
            b.setTooltip(label);
            scenesChanged = true;
        }
        const bool waiting = status_.sceneWaiting == static_cast<int>(k);
        b.setToggleState(status_.scene == static_cast<int>(k) || (waiting && blinkOn), juce::dontSendNotification);
    }
    if (scenesChanged) resized();
    // The show lock: nothing on the stage takes the mouse but the lock button (a long press).
    const bool locked = status_.locked;
    for (auto& strip : strips_)
        strip->setEnabled(!locked);
    for (auto& b : scenes_)
        b.setEnabled(!locked);
    panic_.setEnabled(!locked);
    for (auto& b : stretch_)
        b.setEnabled(!locked);
    for (auto& b : practice_)
        b.setEnabled(!locked);
    lyrics_.setVisible(status_.lyrics.present || lyricsShown_);
    guides_.setVisible(session_.guidesReady());
    guides_.setEnabled(!locked);
    guides_.setColour(juce::TextButton::buttonColourId, status_.guides ? kSolo.darker(0.3f) : kPanel.brighter(0.15f));
    practice_[2].setColour(juce::TextButton::buttonColourId, status_.practiceLoop.find("count-in") != std::string::npos
                                                                 ? kSolo.darker(0.3f)
                                                                 : kPanel.brighter(0.15f));
    lock_.setButtonText(locked ? "LOCKED - hold 2 s" : "LOCK");
    lock_.setColour(juce::TextButton::buttonColourId, locked ? kMute : kPanel.brighter(0.15f));
    if (!layoutReported_ && !status_.stems.empty() && std::getenv("STEMDECK_GUI_LAYOUT") != nullptr) {
        layoutReported_ = true; // for tests that click the buttons (xdotool): once the strips are laid out
        std::cerr << layoutReport() << std::flush;
    }
    repaint(header_.getUnion(position_).getUnion(progress_).getUnion(sceneBar_).getUnion(footer_).getUnion(setList_));
}

void StageView::takeKeyboard() {
    if (auto* top = getTopLevelComponent()) top->toFront(true);
    grabKeyboardFocus();
}

void StageView::mouseDown(const juce::MouseEvent&) {
    takeKeyboard(); // a click anywhere on the stage gives it the keys back
}

void StageView::toggleJoin() {
    if (session_.locked() && !joinPanel_.isVisible()) return; // (locked: the codes stay off the screen)
    joinPanel_.toggle(session_.joinLinks());
    if (std::getenv("STEMDECK_GUI_LAYOUT") != nullptr)
        std::cerr << "layout: join codes " << (joinPanel_.isVisible() ? "shown" : "hidden") << std::endl;
}

bool StageView::keyPressed(const juce::KeyPress& key) {
    // The same keys as play's terminal, as Keys (decoded on the control thread).
    std::optional<Key> pressed;
    const int code = key.getKeyCode();
    if (code == juce::KeyPress::leftKey)
        pressed = Key::named_(Key::Named::left);
    else if (code == juce::KeyPress::rightKey)
        pressed = Key::named_(Key::Named::right);
    else if (code == juce::KeyPress::homeKey)
        pressed = Key::named_(Key::Named::home);
    else if (code == juce::KeyPress::escapeKey)
        pressed = Key::named_(Key::Named::escape);
    else if (code == juce::KeyPress::returnKey)
        pressed = Key::named_(Key::Named::enter);
    else if (const juce::juce_wchar c = key.getTextCharacter(); c > 0 && c < 128)
        pressed = Key::character(static_cast<char>(c));
    if ((pressed == Key::character('j') || pressed == Key::character('J')) && session_.webOn() && !state_->learning) {
        toggleJoin();
        return true;
    }
    if (pressed == Key::character(',') && !session_.locked()) { // the settings dialog
        app::LiveSettings current = settings_;
        if (!current.driver)
            current.driver = state_->health.device.find("[JACK]") != std::string::npos ? "jack" : "alsa";
        if (!current.rate) current.rate = static_cast<int>(state_->clock.sampleRate);
        openSettings(
            current, settingsFile_, audio::describeDevices(),
            [](juce::Point<int> save) {
                if (std::getenv("STEMDECK_GUI_LAYOUT") != nullptr)
                    std::cerr << "layout: settings save " << save.x << "," << save.y << std::endl;
            },
            [safe = juce::Component::SafePointer<StageView>(this)] {
                if (safe != nullptr) safe->takeKeyboard();
            });
        return true;
    }
    if (!pressed) return false;
    runner_.key(*pressed);
    return true;
}

} // namespace stemdeck::app
