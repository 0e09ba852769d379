#pragma once

// SHA-256 (FIPS 180-4), fed incrementally, for checking large bodies as
// they arrive without keeping them. Uses the x86 SHA extensions when the
// CPU has them (a gigabyte in well under a second), else portable code.
// Header-only so that any test can use it without a build change.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define NETCOOK_TEST_SHA_NI 1
#endif

namespace netcook::test {

class Sha256 {
 public:
  void update(std::string_view data) {
    total_ += data.size();
    if (used_ > 0) {
      const std::size_t take = std::min(kBlock - used_, data.size());
      std::memcpy(pending_.data() + used_, data.data(), take);
      used_ += take;
      data.remove_prefix(take);
      if (used_ < kBlock) return;
      compress(pending_.data(), 1);
      used_ = 0;
    }
    const std::size_t blocks = data.size() / kBlock;
    if (blocks > 0) compress(reinterpret_cast<const std::uint8_t*>(data.data()), blocks);
    data.remove_prefix(blocks * kBlock);
    std::memcpy(pending_.data(), data.data(), data.size());
    used_ = data.size();
  }

  // The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string hex_digest() {
    const std::uint64_t bits = total_ * 8;
    std::array<std::uint8_t, 2 * kBlock> tail{};
    std::memcpy(tail.data(), pending_.data(), used_);
    tail[used_] = 0x80;
    const std::size_t length = used_ + 9 <= kBlock ? kBlock : 2 * kBlock;
    for (int i = 0; i < 8; ++i) tail[length - 1 - i] = static_cast<std::uint8_t>(bits >> (8 * i));
    compress(tail.data(), length / kBlock);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    for (const std::uint32_t word : state_)
      for (int shift = 28; shift >= 0; shift -= 4) text += kHex[(word >> shift) & 0xF];
    return text;
  }

 private:
  static constexpr std::size_t kBlock = 64;
  static constexpr std::array<std::uint32_t, 64> kRound{
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};

  void compress(const std::uint8_t* data, std::size_t blocks) {
#ifdef NETCOOK_TEST_SHA_NI
    static const bool has_sha = __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1");
    if (has_sha) return compress_sha_ni(data, blocks);
#endif
    compress_portable(data, blocks);
  }

  static constexpr std::uint32_t rotr(std::uint32_t x, int n) {
    return x >> n | x << (32 - n);
  }

  void compress_portable(const std::uint8_t* data, std::size_t blocks) {
    for (; blocks > 0; --blocks, data += kBlock) {
      std::uint32_t w[64];
      for (int i = 0; i < 16; ++i)
        w[i] = std::uint32_t{data[4 * i]} << 24 | std::uint32_t{data[4 * i + 1]} << 16 |
               std::uint32_t{data[4 * i + 2]} << 8 | data[4 * i + 3];
      for (int i = 16; i < 64; ++i) {
        const auto s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const auto s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
      }
      auto v = state_;
      for (int i = 0; i < 64; ++i) {
        const auto s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
        const auto choice = (v[4] & v[5]) ^ (~v[4] & v[6]);
        const auto t1 = v[7] + s1 + choice + kRound[i] + w[i];
        const auto s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
        const auto majority = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        for (int j = 7; j > 0; --j) v[j] = v[j - 1];
        v[4] += t1;
        v[0] = t1 + s0 + majority;
      }
      for (int i = 0; i < 8; ++i) state_[i] += v[i];
    }
  }

#ifdef NETCOOK_TEST_SHA_NI
  // The state lives as ABEF and CDGH in two registers; each rnds2 does two
  // rounds, and sha256msg1/msg2 extend the message schedule four words at
  // a time.
  __attribute__((target("sha,sse4.1"))) void compress_sha_ni(const std::uint8_t* data,
                                                             std::size_t blocks) {
    const __m128i swap_bytes = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i cdab =
        _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&state_[0])), 0xB1);
    __m128i hgfe =
        _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&state_[4])), 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, hgfe, 8);
    __m128i cdgh = _mm_blend_epi16(hgfe, cdab, 0xF0);
    for (; blocks > 0; --blocks, data += kBlock) {
      const __m128i abef_saved = abef;
      const __m128i cdgh_saved = cdgh;
      __m128i w[4];
      for (int i = 0; i < 4; ++i)
        w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)),
                                swap_bytes);
      for (int group = 0; group < 16; ++group) {
        const __m128i words = w[group % 4];
        __m128i message = _mm_add_epi32(
            words, _mm_loadu_si128(reinterpret_cast<const __m128i*>(&kRound[4 * group])));
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message);
        message = _mm_shuffle_epi32(message, 0x0E);
        abef = _mm_sha256rnds2_epu32(abef, cdgh, message);
        if (group >= 12) continue;
        // The group four ahead: W[t] from W[t-16], W[t-15], W[t-7], W[t-2].
        const __m128i& w0 = w[group % 4];
        const __m128i& w1 = w[(group + 1) % 4];
        const __m128i& w2 = w[(group + 2) % 4];
        const __m128i& w3 = w[(group + 3) % 4];
        const __m128i partial =
            _mm_add_epi32(_mm_sha256msg1_epu32(w0, w1), _mm_alignr_epi8(w3, w2, 4));
        w[group % 4] = _mm_sha256msg2_epu32(partial, w3);
      }
      abef = _mm_add_epi32(abef, abef_saved);
      cdgh = _mm_add_epi32(cdgh, cdgh_saved);
    }
    const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&state_[0]), _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&state_[4]), _mm_alignr_epi8(dchg, feba, 8));
  }
#endif

  std::array<std::uint32_t, 8> state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<std::uint8_t, kBlock> pending_{};
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace netcook::test
