// Fault injection for e2e.play_activate-fault (LD_PRELOAD): the first jack_activate() asks the
// server as usual, then reports a failure, as JACK2 does when the server's reply is late or lost
// under load while it activates the client anyway (JackClient::Activate marks the client active
// before it asks). Later calls are passed through unchanged.
#include <dlfcn.h>
#include <jack/jack.h>

#include <cstdio>

extern "C" int jack_activate(jack_client_t* client) {
    using Activate = int (*)(jack_client_t*);
    static Activate real = nullptr;
    static int calls = 0;
    if (real == nullptr) real = reinterpret_cast<Activate>(dlsym(RTLD_NEXT, "jack_activate"));
    const int rc = real(client);
    if (calls++ == 0) {
        std::fprintf(stderr, "activate-fault: the first jack_activate returned %d; reporting -1\n", rc);
        return -1;
    }
    return rc;
}
