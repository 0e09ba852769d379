#pragma once

// Content negotiation for error bodies (RFC 9110 section 12.5.1): does a
// request's Accept want an HTML page more than plain text? Browsers send
// "text/html,...,*/*;q=0.8"; curl sends "*/*".

#include <string_view>

namespace netcook::proto::http {

class ErrorMediaChoice {
 public:
  // One Accept field line's value, in the order they came: a list of
  // media ranges, each with an optional weight ("text/*;q=0.5").
  // Malformed elements are ignored.
  void add(std::string_view accept) noexcept;

  // True when text/html gets a higher weight than text/plain. A missing
  // Accept, a tie, and neither being acceptable are all plain text.
  bool prefers_html() const noexcept;

 private:
  // The most specific range that applies to one media type so far.
  struct Best {
    int specificity = 0;  // 0: none yet; 1 */*, 2 text/*, 3 text/<sub>, 4 with charset
    int weight = 0;       // in thousandths: q=0.8 is 800
  };

  void consider(std::string_view element) noexcept;

  bool seen_ = false;  // an Accept field line came
  Best html_, plain_;
};

}  // namespace netcook::proto::http
