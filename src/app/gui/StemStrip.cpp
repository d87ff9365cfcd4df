#include "StemStrip.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "Palette.h"
#include "stemdeck/common/Db.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/IoWatch.h"
#include "stemdeck/common/Thread.h"
#include "stemdeck/formats/Scan.h"
#include "stemdeck/set/StemFolder.h"

namespace stemdeck::app {

namespace {
// Stem colours when the song does not give its own (NI stem files do).
const std::array<juce::Colour, 8> kStemColours = {
    juce::Colour(0xff4ea1ff), juce::Colour(0xffff7a45), juce::Colour(0xffa66bff), juce::Colour(0xff3ddc97),
    juce::Colour(0xffffc53d), juce::Colour(0xffff5c93), juce::Colour(0xff36cfc9), juce::Colour(0xffbae637)};

/// A level in dB for the strips' faders and meters: −100 for silence.
float levelDb(float linear) {
    return static_cast<float>(toDb(linear, -100.0));
}
} // namespace

struct Overviews::Run {
    explicit Run(int s) : song(s) {}
    const int song;
    std::atomic<bool> cancel{false};
    mutable std::mutex mutex; // GUI and scanning threads
    std::vector<std::vector<float>> ready;
};

Overviews::~Overviews() {
    if (run_) run_->cancel.store(true);
}

void Overviews::compute(const std::filesystem::path& source, int song) {
    if (run_) run_->cancel.store(true);
    run_ = std::make_shared<Run>(song);
    std::thread([run = run_, source] {
        setThreadName("stemdeck-waves");
        try {
            const set::StemFolder folder = watchedIo([source] { return set::scanStemFolder(source); });
            for (std::size_t i = 0; i < folder.stems.size() && !run->cancel.load(); ++i) {
                const formats::StemLocation where(folder.stems[i].path, folder.stems[i].track);
                std::optional<formats::FileScan> scan;
                try {
                    scan = watchedIo([where, run] {
                        formats::ScanOptions options;
                        options.overviewPoints = kPoints;
                        options.cancel = &run->cancel;
                        return formats::scanStem(where, options);
                    });
                } catch (const NoAnswer&) { // flat, as a broken stem; the show's log says why
                }
                // A broken stem: a flat overview (the strip says it is broken).
                std::vector<float> peaks = scan ? std::move(scan->overview) : std::vector<float>(kPoints, 0.0f);
                std::lock_guard lock(run->mutex);
                run->ready.push_back(std::move(peaks));
            }
        } catch (const Error&) { // (a folder that does not answer, or is not there: no overviews)
        }
    }).detach();
}

std::vector<float> Overviews::get(int song, int stem) const {
    if (!run_ || song != run_->song) return {};
    std::lock_guard lock(run_->mutex);
    if (stem < 0 || static_cast<std::size_t>(stem) >= run_->ready.size()) return {};
    return run_->ready[static_cast<std::size_t>(stem)];
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
    mute.setToggleState(line.mix.muted, juce::dontSendNotification);
    solo.setToggleState(line.mix.soloed, juce::dontSendNotification);
    if (!gain.isMouseButtonDown()) gain.setValue(std::max(-60.0f, levelDb(line.mix.gain)), juce::dontSendNotification);
    if (!filter.isMouseButtonDown()) filter.setValue(line.mix.filter, juce::dontSendNotification);
    repaint();
}

void StemStrip::resized() {
    // A short strip (a 1024x600 stage monitor) keeps its fader: a thin overview, and the filter
    // knob beside the fader instead of above it.
    const bool compact = getHeight() < 330;
    overviewHeight_ = compact ? 24 : 60;
    auto r = getLocalBounds().reduced(8);
    r.removeFromTop(40); // name
    r.removeFromTop(overviewHeight_);
    auto buttons = r.removeFromTop(44);
    mute.setBounds(buttons.removeFromLeft(buttons.getWidth() / 2).reduced(2));
    solo.setBounds(buttons.reduced(2));
    r.removeFromBottom(20); // gain readout
    if (compact) {
        const int knob = std::min({64, r.getWidth() * 2 / 5, r.getHeight()});
        filter.setBounds(r.removeFromLeft(knob).withSizeKeepingCentre(knob, knob));
    } else
        filter.setBounds(r.removeFromTop(70).reduced(4));
    meter_ = r.removeFromRight(14);
    r.removeFromRight(8);
    gain.setBounds(r);
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
    g.setColour(line_.mix.muted ? kDim : kText);
    g.setFont(juce::Font(22.0f, juce::Font::bold));
    g.drawFittedText(std::to_string(index_ + 1) + " " + (line_.broken ? line_.name + " (broken)" : line_.name),
                     nameRow.reduced(6, 0), juce::Justification::centredLeft, 1);
    // The waveform overview.
    auto wave = in.removeFromTop(overviewHeight_).reduced(0, 4);
    g.setColour(kBackground);
    g.fillRect(wave);
    if (!overview_.empty()) {
        g.setColour(colour.withAlpha(line_.mix.muted ? 0.3f : 0.9f));
        const float mid = static_cast<float>(wave.getCentreY());
        for (int x = 0; x < wave.getWidth(); ++x) {
            const auto k =
                static_cast<std::size_t>(x * static_cast<int>(overview_.size()) / std::max(1, wave.getWidth()));
            const float h = std::min(1.0f, overview_[k]) * static_cast<float>(wave.getHeight()) * 0.5f;
            g.drawVerticalLine(wave.getX() + x, mid - h, mid + h);
        }
    }
    // The level meter beside the fader: −48 … 0 dBFS, red at the top.
    const juce::Rectangle<int> meter = meter_;
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
    if (line_.mix.gain <= 0.0f)
        std::snprintf(db, sizeof db, "-inf dB");
    else
        std::snprintf(db, sizeof db, "%+.1f dB", static_cast<double>(levelDb(line_.mix.gain)));
    g.drawText(db, getLocalBounds().reduced(8).removeFromBottom(20), juce::Justification::centred);
}

} // namespace stemdeck::app
