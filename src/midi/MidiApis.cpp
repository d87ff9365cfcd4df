#include "MidiApis.h"

#include <alsa/asoundlib.h>
#include <jack/jack.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "stemdeck/common/Text.h"

namespace stemdeck::midi {

namespace {
// alsa-lib's handler is variadic; libjack's takes the line. Both: nothing printed.
extern "C" void midiIgnoreAlsa(const char*, int, const char*, int, const char*, ...) {}
extern "C" void midiProbeIgnoreJack(const char*) {}
} // namespace

void quietAlsaLibrary() {
    snd_lib_error_set_handler(midiIgnoreAlsa);
}

std::string midiApiProblem(const std::string& api) {
    if (equalsIgnoreCase(api, "jack")) {
        jack_set_error_function(midiProbeIgnoreJack);
        jack_set_info_function(midiProbeIgnoreJack);
        jack_status_t status{};
        jack_client_t* probe = jack_client_open("stemdeck-midi-probe", JackNoStartServer, &status);
        if (probe == nullptr) return "no JACK server running; start it (jackd, qjackctl), or use --midi-api alsa";
        jack_client_close(probe);
        return {};
    }
    quietAlsaLibrary();
    if (::access("/dev/snd/seq", R_OK | W_OK) != 0) {
        const int err = errno;
        return std::string("no ALSA sequencer on this machine (/dev/snd/seq: ") + std::strerror(err) +
               "); load it (modprobe snd-seq), or use --midi-api jack";
    }
    return {};
}

} // namespace stemdeck::midi
