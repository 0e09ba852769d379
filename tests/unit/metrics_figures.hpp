#pragma once

// Figures of one listener with nothing counted yet, as Arena::figures()
// makes them (histograms with every bucket), for the renderers' tests.

#include "metrics/arena.hpp"

#include <string>
#include <utility>

namespace netcook::metrics {

inline ListenerFigures listener_figures(std::string name, std::string protocol,
                                        std::string model = "epoll") {
  ListenerFigures l;
  l.name = std::move(name);
  l.protocol = std::move(protocol);
  l.model = std::move(model);
  l.address = "127.0.0.1:7007";
  l.connection_duration.cumulative.assign(kConnectionBounds.size() + 1, 0);
  l.request_duration.cumulative.assign(kRequestBounds.size() + 1, 0);
  return l;
}

}  // namespace netcook::metrics
