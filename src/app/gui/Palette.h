#pragma once
// The stage screens' colours: dark, high contrast, readable from two metres.
#include <juce_graphics/juce_graphics.h>

namespace stemdeck::app {
inline const juce::Colour kBackground{0xff101214}, kPanel{0xff1b1f23}, kText{0xfff2f2f2}, kDim{0xff8a939c},
    kAccent{0xff39d98a}, kMute{0xffe5484d}, kSolo{0xfff5d90a}, kWarn{0xffff8c1a};
} // namespace stemdeck::app
