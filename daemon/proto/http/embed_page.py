#!/usr/bin/env python3
"""Turns the status page (one self-contained HTML file) into a C++ source
that defines netcook::proto::http::status_page(), so the daemon serves it
with no file to install and no path to get wrong."""
import sys

DELIMITER = "netcookd_page"

def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8") as f:
        page = f.read()
    if ')' + DELIMITER + '"' in page:
        sys.exit(f"{source}: contains the raw string's delimiter )" + DELIMITER + '"')
    with open(target, "w", encoding="utf-8") as f:
        f.write("// Generated from status_page.html by embed_page.py: edit the page, not this.\n")
        f.write('#include "proto/http/status_page.hpp"\n\n')
        f.write("namespace netcook::proto::http {\n\n")
        f.write("std::string_view status_page() noexcept {\n")
        f.write(f'  static constexpr std::string_view kPage = R"{DELIMITER}(')
        f.write(page)
        f.write(f'){DELIMITER}";\n')
        f.write("  return kPage;\n}\n\n}  // namespace netcook::proto::http\n")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
