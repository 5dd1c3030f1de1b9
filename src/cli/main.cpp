// `peerdrop`: the command line of this machine's PeerDrop (docs/protocol.md, "The peerdrop command").
#include <iostream>

#include "cli/cli_app.hpp"

int main(int argc, char** argv) { return peerdrop::cli::CliApp(std::cout, std::cerr).run(argc, argv); }
