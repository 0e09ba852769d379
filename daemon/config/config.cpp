#include "config/config.hpp"

#include "config/names.hpp"

namespace netcook::config {

const char* to_string(LogLevel value) { return name_of(kLogLevelNames, value); }
const char* to_string(LogTarget value) { return name_of(kLogTargetNames, value); }
const char* to_string(Protocol value) { return name_of(kProtocolNames, value); }
const char* to_string(Model value) { return name_of(kModelNames, value); }
const char* to_string(EchoMode value) { return name_of(kEchoModeNames, value); }
const char* to_string(TlsVersion value) { return name_of(kTlsVersionNames, value); }
const char* to_string(VerifyClient value) { return name_of(kVerifyClientNames, value); }

}  // namespace netcook::config
