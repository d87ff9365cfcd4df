#include "StageView.h"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <iostream>

#include "Palette.h"
#include "SettingsPanel.h"
#include "stemdeck/Db.h"
#include "stemdeck/Error.h"
#include "stemdeck/formats/Scan.h"
#include "stemdeck/Thread.h"
#include "stemdeck/set/StemFolder.h"

namespace stemdeck::app {

namespace {
// Stem colours when the song does not give its own (NI stem files do).
const std::array<juce::Colour, 8> kStemColours = {
    juce::Colour(0xff4ea1ff), juce::Colour(0xffff7a45), juce::Colour(0xffa66bff), juce::Colour(0xff3ddc97),
    juce::Colour(0xffffc53d), juce::Colour(0xffff5c93), juce::Colour(0xff36cfc9), juce::Colour(0xffbae637)};

std::string clock(double seconds) {
    return control::clockText(seconds);
}

/// A level in dB for the strips' faders and meters: −100 for silence.
float levelDb(float linear) {
    return static_cast<float>(toDb(linear, -100.0));
}
} // namespace

// ---------------------------------------------------------------------------------------------

Overviews::~Overviews() {
    stop();
}

void Overviews::stop() {
    cancel_.store(true);
    if (worker_.joinable()) worker_.join();
    cancel_.store(false);
}

void Overviews::compute(const std::filesystem::path& source, int song) {
    stop();
    {
        std::lock_guard lock(mutex_);
        song_ = song;
        ready_.clear();
    }
    worker_ = std::thread([this, source, song] {
        setThreadName("stemdeck-waves");
        try {
            const set::StemFolder folder = set::scanStemFolder(source);
            for (std::size_t i = 0; i < folder.stems.size() && !cancel_.load(); ++i) {
                formats::ScanOptions options;
                options.overviewPoints = kPoints;
                options.cancel = &cancel_;
                const formats::StemLocation where(folder.stems[i].path, folder.stems[i].track);
                std::optional<formats::FileScan> scan = formats::scanStem(where, options);
                // A broken stem: a flat overview (the strip says it is broken).
                std::vector<float> peaks = scan ? std::move(scan->overview) : std::vector<float>(kPoints, 0.0f);
                std::lock_guard lock(mutex_);
                if (song_ == song) ready_.push_back(std::move(peaks));
            }
        } catch (const Error&) {
        }
    });
}

std::vector<float> Overviews::get(int song, int stem) const {
    std::lock_guard lock(mutex_);
    if (song != song_ || stem < 0 || static_cast<std::size_t>(stem) >= ready_.size()) return {};
    return ready_[static_cast<std::size_t>(stem)];
}

// ---------------------------------------------------------------------------------------------

StemStrip::StemStrip(LiveSession& session, int index) : session_(session), index_(index) {
    for (juce::TextButton* b : {&mute, &solo}) {
        b->setClickingTogglesState(false);
        b->setColour(juce::TextButton::buttonColourId, kPanel.brighter(0.15f));
        b->setColour(juce::TextButton::textColourOffId, kText);
        b->setColour(juce::TextButton::textColourOnId, juce::Colours::black);
        addAndMakeVisible(*b);
    }
    mute.setColour(juce::TextButton::buttonOnColourId, kMute);
    solo.setColour(juce::TextButton::buttonOnColourId, kSolo);
    auto send = [this](control::Action a, float value = 0.0f) {
        control::ActionCall c;
        c.action = a;
        c.stem = static_cast<std::int8_t>(index_);
        c.value = value;
        session_.send(c);
    };
    mute.onClick = [send] { send(control::Action::toggleMute); };
    solo.onClick = [send] { send(control::Action::toggleSolo); };
    gain.setRange(-60.0, 6.0, 0.1);
    gain.setSkewFactorFromMidPoint(-12.0);
    gain.setDoubleClickReturnValue(true, 0.0);
    gain.onValueChange = [this, send] {
        const double db = gain.getValue();
        send(control::Action::gain, db <= -60.0 ? 0.0f : static_cast<float>(fromDb(db)));
    };
    filter.setRange(-1.0, 1.0, 0.01);
    filter.setDoubleClickReturnValue(true, 0.0);
    filter.onValueChange = [send, this] { send(control::Action::filter, static_cast<float>(filter.getValue())); };
    for (juce::Slider* s : {&gain, &filter}) {
        s->setColour(juce::Slider::thumbColourId, kText);
        s->setColour(juce::Slider::trackColourId, kAccent);
        s->setColour(juce::Slider::rotarySliderFillColourId, kAccent);
        s->setColour(juce::Slider::rotarySliderOutlineColourId, kPanel.brighter(0.3f));
        s->setColour(juce::Slider::backgroundColourId, kPanel.brighter(0.3f));
        addAndMakeVisible(*s);
    }
}

void StemStrip::update(const control::StemLine& line, std::vector<float> overview, bool blinkOn) {
    line_ = line;
    if (!overview.empty()) overview_ = std::move(overview);
    blinkOn_ = blinkOn;
    // The GUI is a view: the buttons show the engine's state, whoever changed it.
    mute.setToggleState(line.muted, juce::dontSendNotification);
    solo.setToggleState(line.soloed, juce::dontSendNotification);
    if (!gain.isMouseButtonDown()) gain.setValue(std::max(-60.0f, levelDb(line.gain)), juce::dontSendNotification);
    if (!filter.isMouseButtonDown()) filter.setValue(line.filter, juce::dontSendNotification);
    repaint();
}

void StemStrip::resized() {
    auto r = getLocalBounds().reduced(8);
    r.removeFromTop(40); // name
    r.removeFromTop(60); // overview
    auto buttons = r.removeFromTop(44);
    mute.setBounds(buttons.removeFromLeft(buttons.getWidth() / 2).reduced(2));
    solo.setBounds(buttons.reduced(2));
    filter.setBounds(r.removeFromTop(70).reduced(4));
    r.removeFromBottom(20); // gain readout
    gain.setBounds(r.removeFromLeft(r.getWidth() - 22));
}

void StemStrip::paint(juce::Graphics& g) {
    const auto colour = line_.color.size() == 7 && line_.color[0] == '#'
                            ? juce::Colour::fromString("ff" + line_.color.substr(1))
                            : kStemColours[static_cast<std::size_t>(index_) % kStemColours.size()];
    auto r = getLocalBounds().reduced(4);
    g.setColour(kPanel);
    g.fillRoundedRectangle(r.toFloat(), 8.0f);
    if (line_.pending && blinkOn_) { // a quantised change waits for its beat or bar
        g.setColour(kWarn);
        g.drawRoundedRectangle(r.toFloat().reduced(1.0f), 8.0f, 3.0f);
    }
    auto in = r.reduced(4);
    auto nameRow = in.removeFromTop(40);
    g.setColour(colour);
    g.fillRect(nameRow.removeFromLeft(8).reduced(0, 6));
    g.setColour(line_.muted ? kDim : kText);
    g.setFont(juce::Font(22.0f, juce::Font::bold));
    g.drawFittedText(std::to_string(index_ + 1) + " " + (line_.broken ? line_.name + " (broken)" : line_.name),
                     nameRow.reduced(6, 0), juce::Justification::centredLeft, 1);
    // The waveform overview.
    auto wave = in.removeFromTop(60).reduced(0, 4);
    g.setColour(kBackground);
    g.fillRect(wave);
    if (!overview_.empty()) {
        g.setColour(colour.withAlpha(line_.muted ? 0.3f : 0.9f));
        const float mid = static_cast<float>(wave.getCentreY());
        for (int x = 0; x < wave.getWidth(); ++x) {
            const auto k =
                static_cast<std::size_t>(x * static_cast<int>(overview_.size()) / std::max(1, wave.getWidth()));
            const float h = std::min(1.0f, overview_[k]) * static_cast<float>(wave.getHeight()) * 0.5f;
            g.drawVerticalLine(wave.getX() + x, mid - h, mid + h);
        }
    }
    // The level meter beside the fader: −48 … 0 dBFS, red at the top.
    auto meter = getLocalBounds().reduced(8);
    meter = meter.withTrimmedTop(40 + 60 + 44 + 70).withTrimmedBottom(20);
    meter = meter.removeFromRight(14);
    g.setColour(kBackground);
    g.fillRect(meter);
    const float level = std::clamp((levelDb(line_.peak) + 48.0f) / 48.0f, 0.0f, 1.0f);
    const int h = static_cast<int>(level * static_cast<float>(meter.getHeight()));
    g.setColour(line_.peak >= 1.0f ? kMute : kAccent);
    g.fillRect(meter.withTop(meter.getBottom() - h));
    // Gain readout.
    g.setColour(kText);
    g.setFont(juce::Font(16.0f));
    char db[32];
    if (line_.gain <= 0.0f)
        std::snprintf(db, sizeof db, "-inf dB");
    else
        std::snprintf(db, sizeof db, "%+.1f dB", static_cast<double>(levelDb(line_.gain)));
    g.drawText(db, getLocalBounds().reduced(8).removeFromBottom(20), juce::Justification::centred);
}

// ---------------------------------------------------------------------------------------------

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
        b.onClick = [this, k] { sceneClicked(k); };
        addChildComponent(b);
    }
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
    addAndMakeVisible(panic_);
    addAndMakeVisible(lock_);
    setSize(1280, 800);
    startTimerHz(30);
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
    for (std::size_t k = 0; k < scenes_.size(); ++k) {
        if (!scenes_[k].isVisible()) continue;
        const auto c = scenes_[k].getScreenBounds().getCentre();
        out += "layout: scene " + std::to_string(k + 1) + " " + std::to_string(c.x) + "," + std::to_string(c.y) + "\n";
    }
    return out;
}

void StageView::message(std::string line) {
    messages_.push_back(std::move(line));
    while (messages_.size() > 4)
        messages_.pop_front();
}

void StageView::timerCallback() {
    // A view of the published state: the show's tick runs on the control thread, never here.
    state_ = session_.state().latest();
    status_ = state_->player;
    if (traceState_) // (the end-to-end tests: the same lines as play's)
        if (std::string mix = control::describeMix(*state_); mix != traced_) {
            traced_ = std::move(mix);
            std::cerr << "stemdeck-gui: state: " << traced_ << std::endl;
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
        if (strips_[i]->isVisible() != used) {
            strips_[i]->setVisible(used);
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
        if (b.getButtonText() != label) b.setButtonText(label);
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

void StageView::resized() {
    auto r = getLocalBounds();
    footer_ = r.removeFromBottom(90);
    setList_ = r.removeFromLeft(240);
    header_ = r.removeFromTop(70);
    position_ = r.removeFromTop(110);
    {
        auto row = r.removeFromTop(50);
        row.removeFromRight(12); // (the scene bar's margin)
        auto buttons = row.removeFromRight(3 * 72).reduced(0, 6);
        for (auto& b : practice_)
            b.setBounds(buttons.removeFromLeft(72).reduced(2, 0));
        progress_ = row.reduced(16, 8);
    }
    sceneBar_ = r.removeFromTop(48).reduced(12, 4);
    {
        auto bar = sceneBar_;
        lock_.setBounds(bar.removeFromRight(170).reduced(2));
        panic_.setBounds(bar.removeFromRight(110).reduced(2));
        for (std::size_t k = stretch_.size(); k-- > 0;)
            stretch_[k].setBounds(bar.removeFromRight(78).reduced(2));
        const int w = bar.getWidth() / engine::kMaxScenes;
        for (auto& b : scenes_)
            if (b.isVisible()) b.setBounds(bar.removeFromLeft(w).reduced(2));
    }
    stripsArea_ = r.reduced(8);
    int visible = 0;
    for (const auto& s : strips_)
        visible += s->isVisible() ? 1 : 0;
    const int w = stripsArea_.getWidth() / std::max(1, visible);
    auto area = stripsArea_;
    for (const auto& s : strips_)
        if (s->isVisible()) s->setBounds(area.removeFromLeft(w));
    preflightPanel_.setBounds(stripsArea_);
}

void StageView::paint(juce::Graphics& g) {
    g.fillAll(kBackground);
    // The set list: the current song highlighted, the next one marked.
    auto list = paintSetListHeader(g, setList_, session_);
    const auto& songs = session_.songs();
    for (std::size_t i = 0; i < songs.size(); ++i) {
        const bool current = static_cast<int>(i) + 1 == status_.song, next = static_cast<int>(i) == status_.song;
        auto row = list.removeFromTop(34);
        if (current) {
            g.setColour(kAccent.withAlpha(0.25f));
            g.fillRoundedRectangle(row.toFloat(), 4.0f);
        }
        g.setColour(current ? kText : next ? kAccent : kDim);
        g.setFont(juce::Font(current ? 20.0f : 17.0f, current ? juce::Font::bold : juce::Font::plain));
        const std::string title = songs[i].title ? *songs[i].title : songs[i].source.filename().string();
        g.drawFittedText(std::to_string(i + session_.firstSong()) + ". " + title + (next ? "  (next)" : ""),
                         row.reduced(6, 0), juce::Justification::centredLeft, 1);
    }
    // Header: the song, big.
    g.setColour(kText);
    g.setFont(juce::Font(40.0f, juce::Font::bold));
    g.drawFittedText((status_.rolling ? "\u25B6 " : "\u2016 ") + status_.title, header_.reduced(16, 4),
                     juce::Justification::centredLeft, 1);
    // Position: bar.beat, elapsed / length, remaining.
    auto pos = position_.reduced(16, 0);
    g.setFont(juce::Font(72.0f, juce::Font::bold));
    const std::string bar = status_.seconds < 0.0
                                ? "count-in " + std::to_string(status_.barBeat.beat)
                                : std::to_string(status_.barBeat.bar) + "." + std::to_string(status_.barBeat.beat);
    g.setColour(status_.seconds < 0.0 ? kSolo : kText);
    g.drawText(bar, pos.removeFromLeft(360), juce::Justification::centredLeft);
    g.setFont(juce::Font(40.0f));
    g.setColour(kText);
    g.drawText(clock(std::max(0.0, status_.seconds)) + " / " + clock(status_.lengthSeconds),
               pos.removeFromTop(pos.getHeight() / 2), juce::Justification::centredLeft);
    g.setColour(kAccent);
    if (status_.locked) { // plain to see from the stage: why nothing answers the mouse
        g.setColour(kMute);
        g.setFont(juce::Font(28.0f, juce::Font::bold));
        g.drawText("LOCKED - type unlock", header_.reduced(16, 4), juce::Justification::centredRight);
        g.setFont(juce::Font(40.0f));
    }
    g.setColour(kAccent);
    g.drawText("-" + clock(std::max(0.0, status_.lengthSeconds - status_.seconds)) + "   " +
                   std::to_string(static_cast<int>(std::lround(status_.bpm))) + " BPM" +
                   (status_.stretch.empty() ? "" : "   " + status_.stretch) +
                   (status_.practiceLoop.empty() ? (status_.vamp ? "   VAMP" : "") : "   " + status_.practiceLoop) +
                   (status_.reference ? "   A/B: REFERENCE" : ""),
               pos, juce::Justification::centredLeft);
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
    // Footer: next song, device, underruns, messages.
    auto foot = footer_.reduced(16, 6);
    g.setFont(juce::Font(18.0f));
    g.setColour(state_->health.devicePlaying ? kDim : kMute);
    const std::string device = state_->health.devicePlaying ? state_->health.device : "DEVICE LOST - waiting for it";
    g.drawText("next: " + (status_.nextTitle.empty() ? std::string("(end of set)") : status_.nextTitle) + "    " +
                   device + "    underruns " + std::to_string(status_.underruns) +
                   (status_.dropped > 0 ? "    COMMANDS LOST " + std::to_string(status_.dropped) : "") + "    xruns " +
                   std::to_string(state_->health.xruns) + (state_->learning ? "    MIDI LEARN" : "") +
                   (preflightPanel_.errors() > 0 ? "    CHECK: " + std::to_string(preflightPanel_.errors()) +
                                                       (preflightPanel_.errors() == 1 ? " ERROR" : " ERRORS")
                                                 : "") +
                   (status_.locked ? "" : "    , settings"),
               foot.removeFromTop(26), juce::Justification::centredLeft);
    g.setColour(status_.underruns > 0 || status_.dropped > 0 ? kWarn : kText);
    g.setFont(juce::Font(15.0f));
    for (const std::string& m : messages_)
        g.drawText(m, foot.removeFromTop(16), juce::Justification::centredLeft);
}

void StageView::takeKeyboard() {
    if (auto* top = getTopLevelComponent()) top->toFront(true);
    grabKeyboardFocus();
}

void StageView::mouseDown(const juce::MouseEvent&) {
    takeKeyboard(); // a click anywhere on the stage gives it the keys back
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
