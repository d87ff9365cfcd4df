#pragma once
// A stem's strip on the stage view (name, waveform overview, mute and solo, filter, fader, meter)
// and the overviews it draws, computed on a thread of their own ("stemdeck-waves").
#include <juce_gui_basics/juce_gui_basics.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "stemdeck/app/LiveSession.h"

namespace stemdeck::app {

/// Per stem: peak envelopes for the waveform overview, computed on a thread of their own. The
/// screen never waits for that thread: a song on a share that stopped answering would freeze it
/// (the thread may sleep in a read for ever). Each stem's scan is watched (IoWatch.h): one that
/// does not answer gets a flat overview, and the next stem is scanned.
class Overviews {
public:
    static constexpr int kPoints = 400;
    ~Overviews(); ///< cancels the scan under way, without waiting for it
    /// @thread GUI. Starts computing the song's overviews (dropping any unfinished ones).
    void compute(const std::filesystem::path& source, int song);
    /// @thread GUI. The overview of a stem if it is ready (else empty).
    [[nodiscard]] std::vector<float> get(int song, int stem) const;

private:
    struct Run; // one song's overviews, shared with the thread that computes them
    std::shared_ptr<Run> run_; // GUI thread only
};

class StemStrip final : public juce::Component {
public:
    StemStrip(LiveSession& session, int index);
    void update(const control::StemLine& line, std::vector<float> overview, bool blinkOn);
    void paint(juce::Graphics& g) override;
    void resized() override;
    juce::TextButton mute{"MUTE"}, solo{"SOLO"};
    juce::Slider gain{juce::Slider::LinearVertical, juce::Slider::NoTextBox};
    juce::Slider filter{juce::Slider::RotaryHorizontalVerticalDrag, juce::Slider::NoTextBox};

private:
    LiveSession& session_;
    int index_;
    control::StemLine line_;
    std::vector<float> overview_;
    bool blinkOn_ = false;
    int overviewHeight_ = 60;           ///< the waveform's row (thin on a short strip)
    juce::Rectangle<int> meter_;        ///< the level meter, beside the fader
};

} // namespace stemdeck::app
