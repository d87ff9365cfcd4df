// Kept apart from the JUCE code: Xlib's headers define macros (KeyPress, None, Status …) that
// clash with JUCE's names.
#include <X11/Xlib.h>

#include <initializer_list>

namespace stemdeck::app {

/// On an X server without a window manager (a kiosk session, a test's Xvfb) the window-manager
/// atoms JUCE looks up do not exist yet, and JUCE then sets properties with atom 0, which X
/// refuses fatally (BadAtom). Creating them first costs nothing where a window manager has.
/// False when the display cannot be opened.
/// (The one connection is kept for the life of the process.)
bool prepareDisplay() {
    ::Display* d = XOpenDisplay(nullptr);
    if (d == nullptr) return false;
    for (const char* name : {"WM_PROTOCOLS",
                             "WM_TAKE_FOCUS",
                             "WM_DELETE_WINDOW",
                             "WM_CHANGE_STATE",
                             "WM_STATE",
                             "_NET_WM_PING",
                             "_NET_WM_USER_TIME",
                             "_NET_ACTIVE_WINDOW",
                             "_NET_WM_PID",
                             "_NET_WM_WINDOW_TYPE",
                             "_NET_WM_WINDOW_TYPE_NORMAL",
                             "_NET_WM_WINDOW_TYPE_COMBO",
                             "_NET_WM_STATE",
                             "_NET_WM_STATE_HIDDEN",
                             "_NET_WM_STATE_FULLSCREEN",
                             "_NET_WM_ALLOWED_ACTIONS",
                             "_NET_FRAME_EXTENTS",
                             "_NET_WORKAREA",
                             "_MOTIF_WM_HINTS",
                             "_WIN_HINTS",
                             "KWM_WIN_DECORATION",
                             "_KDE_NET_WM_WINDOW_TYPE_OVERRIDE",
                             "_XEMBED",
                             "_XEMBED_INFO",
                             "XdndAware",
                             "XdndEnter",
                             "XdndLeave",
                             "XdndPosition",
                             "XdndStatus",
                             "XdndDrop",
                             "XdndFinished",
                             "XdndSelection",
                             "XdndTypeList",
                             "XdndActionList",
                             "XdndActionCopy",
                             "XdndActionPrivate",
                             "XdndActionDescription"})
        XInternAtom(d, name, False);
    // The connection stays open: an X server with no other client resets when the last one
    // leaves, and the atoms would go with it before JUCE connects.
    return true;
}

} // namespace stemdeck::app
