// stemdeck demo: writes the bundled demo song.
#include <iostream>
#include <memory>
#include <string>

#include "stemdeck/app/Commands.h"
#include "stemdeck/app/DemoSong.h"

namespace stemdeck::app {

Subcommand addDemoCommand(CLI::App& app) {
    struct Args {
        std::string dir = "sets/demo";
        bool force = false;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("demo", "Generate the demo song (six stems, reference mix, readme)");
    cmd->add_option("DIR", a->dir, "Folder to write (default sets/demo)");
    cmd->add_flag("--force", a->force, "Write even if the folder already holds the demo");
    return {cmd, [a] {
                if (!a->force && demoSongPresent(a->dir)) {
                    std::cout << "demo song already in " << a->dir << " (use --force to write it again)\n";
                } else {
                    writeDemoSong(a->dir);
                    std::cout << "wrote the demo song to " << a->dir << "\n";
                }
                return 0;
            }};
}

} // namespace stemdeck::app
