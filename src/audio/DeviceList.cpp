// What devices there are: the list `stemdeck devices` prints, and the one an error names.
#include "DeviceSession.h"

namespace stemdeck::audio {

namespace {

std::string summariseRates(const juce::Array<double>& rates) {
    std::string s;
    for (double r : rates) {
        if (!s.empty()) s += ", ";
        s += std::to_string(static_cast<int>(r));
    }
    return s.empty() ? "?" : s;
}

std::string summariseSizes(const juce::Array<int>& sizes, int preferred) {
    if (sizes.isEmpty()) return "?";
    // Appended piece by piece: GCC 12 at -O3 sees a false -Wrestrict in "-" + to_string(…) here.
    std::string s = std::to_string(sizes.getFirst());
    if (sizes.size() > 1) {
        s += '-';
        s += std::to_string(sizes.getLast());
    }
    s += " frames (default ";
    s += std::to_string(preferred);
    s += ')';
    return s;
}

} // namespace

std::string outputsText(int n) {
    return std::to_string(n) + (n == 1 ? " output" : " outputs");
}

bool containsIgnoreCase(const juce::String& haystack, const std::string& needle) {
    return haystack.toLowerCase().contains(juce::String(needle).toLowerCase());
}

std::string deviceList(juce::AudioDeviceManager& manager) {
    const std::string jack = JackDevice::describe();
    std::string out = "\n  JACK: " + (jack.empty() ? "no JACK server running" : jack);
    for (auto* type : manager.getAvailableDeviceTypes()) {
        type->scanForDevices();
        out += "\n  " + type->getTypeName().toStdString() + ":";
        const auto names = type->getDeviceNames(false);
        if (names.isEmpty()) out += " (none)";
        for (const auto& n : names)
            out += "\n    " + n.toStdString();
    }
    return out;
}

std::string describeDevices() {
    juce::ScopedJuceInitialiser_GUI juceRuntime;
    juce::AudioDeviceManager manager;
    std::string out = "Audio devices (stemdeck play --driver TYPE --device NAME):";
    const std::string jack = JackDevice::describe();
    out += "\n  JACK (--driver jack): " + (jack.empty() ? "no JACK server running" : jack);
    for (auto* type : manager.getAvailableDeviceTypes()) {
        type->scanForDevices();
        const auto names = type->getDeviceNames(false);
        out += "\n  " + type->getTypeName().toStdString() + " (--driver " +
               type->getTypeName().toLowerCase().toStdString() + "):";
        if (names.isEmpty()) out += " no output devices";
        for (const auto& n : names) {
            out += "\n    " + n.toStdString();
            std::unique_ptr<juce::AudioIODevice> device(type->createDevice(n, {}));
            if (!device) {
                out += "  (cannot be opened)";
                continue;
            }
            out += "\n      outputs " + std::to_string(device->getOutputChannelNames().size()) + ", rates " +
                   summariseRates(device->getAvailableSampleRates()) + " Hz, blocks " +
                   summariseSizes(device->getAvailableBufferSizes(), device->getDefaultBufferSize());
        }
    }
    return out;
}

} // namespace stemdeck::audio
