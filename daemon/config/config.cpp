#include "config/config.hpp"

#include "config/names.hpp"

namespace netcook::config {

const char* to_string(LogLevel value) { return name_of(kLogLevelNames, value); }
const char* to_string(LogTarget value) { return name_of(kLogTargetNames, value); }
const char* to_string(Protocol value) { return name_of(kProtocolNames, value); }
const char* to_string(Model value) { return name_of(kModelNames, value); }
const char* to_string(EchoMode value) { return name_of(kEchoModeNames, value); }

}  // namespace netcook::config
