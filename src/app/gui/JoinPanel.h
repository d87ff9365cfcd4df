#pragma once
// The web remote's join codes on the stage screen: per address, the band view's QR code (watch
// only) and the control view's (it carries the control token), over the stems. Shown on demand
// (the JOIN button, or J) for a minute, then gone by itself: never left up where the audience
// might film the control code.
#include <juce_gui_basics/juce_gui_basics.h>

#include <vector>

#include "stemdeck/app/WebSurface.h"

namespace stemdeck::app {

class JoinPanel final : public juce::Component {
public:
    static constexpr juce::uint32 kShownMs = 60'000;
    JoinPanel();
    /// Shows `links` (from now for a minute), or hides the panel if it is up.
    void toggle(std::vector<JoinLink> links);
    /// Every frame: the links as they are now (a network up, tokens rotated); hidden after a minute.
    void update(const std::vector<JoinLink>& links);
    void paint(juce::Graphics& g) override;
    void mouseDown(const juce::MouseEvent&) override { setVisible(false); }

private:
    std::vector<JoinLink> links_;
    juce::uint32 shownAt_ = 0;
};

} // namespace stemdeck::app
