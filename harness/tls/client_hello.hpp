// A TLS ClientHello as it went over the wire: reassembled from the record layer (a hello may be
// split over several handshake records) and decoded field by field (RFC 8446 4.1.2 and 4.2,
// RFC 5246 7.4.1.2). The one decoder of the project: `harness import-clients` reads testssl.sh's
// recorded hellos with it, `harness capture-client` the hellos real senders send.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace harness {

// Bytes that are not (the start of) a ClientHello; what() names what was wrong.
struct HelloError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The handshake message of a ClientHello taken out of its records.
struct HelloFraming {
  std::size_t consumed = 0;          // bytes of the records that held it
  std::size_t records = 0;           // how many records
  int record_version = 0;            // of the first record: 0x0301 for most clients
  std::vector<std::uint8_t> message;  // handshake header (type 1, length) and body
};
// Frames the ClientHello at the start of `bytes` (TLS records of content type 22). nullopt while
// the records end before the hello does (read more); throws HelloError for bytes that are no
// ClientHello: another record type (text such as "QUIT" named as text), a record length of 0 or
// above 2^14, another handshake message, bytes after the hello inside its last record, a hello
// larger than `max_message` bytes.
std::optional<HelloFraming> frame_client_hello(const std::vector<std::uint8_t>& bytes, std::size_t max_message = 1 << 18);

// What a ClientHello says. Lists keep the order and repeats of the wire (GREASE included).
struct ClientHelloFacts {
  int record_version = 0;               // 0x0301
  std::size_t records = 0;              // records that carried it
  int legacy_version = 0;               // 0x0303
  std::vector<std::uint8_t> random;     // 32 bytes
  std::vector<std::uint8_t> session_id;
  std::vector<std::uint16_t> ciphers;   // code points in offer order (with GREASE and SCSVs)
  std::vector<std::uint8_t> compression;  // methods: {0} = null only
  std::vector<std::uint16_t> extensions;  // types in order
  std::optional<std::string> sni;       // host_name in server_name
  std::vector<std::string> alpn;        // protocol names in offer order
  std::vector<std::uint16_t> sigalgs;   // signature_algorithms code points in offer order
  std::vector<std::uint16_t> sigalgs_cert;         // signature_algorithms_cert (RFC 8446 4.2.3)
  std::vector<std::uint16_t> groups;               // supported_groups
  std::vector<std::uint16_t> key_share_groups;     // groups of the key_share entries sent
  std::vector<std::uint16_t> supported_versions;   // 0x0304, 0x0303, ...
  std::vector<std::uint8_t> psk_modes;             // psk_key_exchange_modes: 1 = psk_dhe_ke
  std::vector<std::uint8_t> ec_point_formats;
  bool has(std::uint16_t extension) const;
};

// Extension code points (IANA TLS ExtensionType registry).
namespace ext {
constexpr std::uint16_t kServerName = 0, kStatusRequest = 5, kSupportedGroups = 10, kEcPointFormats = 11,
                        kSignatureAlgorithms = 13, kAlpn = 16, kEncryptThenMac = 22, kExtendedMasterSecret = 23,
                        kSessionTicket = 35, kSupportedVersions = 43, kPskKeyExchangeModes = 45,
                        kSignatureAlgorithmsCert = 50, kKeyShare = 51, kRenegotiationInfo = 0xff01;
}  // namespace ext

// Decodes one ClientHello from its records (hex or bytes, exactly the records that hold it).
// Throws HelloError (a std::runtime_error) saying what is wrong; an SSLv2-format hello is refused
// (it has no extensions to decode).
ClientHelloFacts parse_client_hello(const std::string& hex);
ClientHelloFacts parse_client_hello(const std::vector<std::uint8_t>& bytes);

// RFC 8701 GREASE values (0x0a0a, 0x1a1a, ... for 16-bit fields).
bool is_grease(std::uint16_t code);
// The OpenSSL sigalgs-list name of a SignatureScheme code point ("RSA+SHA256", "rsa_pss_rsae_sha256");
// "" for GREASE and code points without one.
std::string sigalg_name(std::uint16_t code);
// The OpenSSL groups-list name of a NamedGroup ("X25519", "P-256", "ffdhe2048", "X25519MLKEM768");
// "" for GREASE and unknown code points.
std::string group_name(std::uint16_t code);
// OpenSSL's name of a cipher suite code point ("ECDHE-RSA-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384");
// "" when the linked OpenSSL has none (GREASE, SCSVs, suites it was built without).
std::string suite_name(std::uint16_t code);
// "TLSv1.3" for 0x0304 ... "SSLv3" for 0x0300; "" otherwise.
std::string version_name(int version);
// "0x1301"
std::string hex16(std::uint16_t code);
std::string to_hex(const std::vector<std::uint8_t>& bytes);
// Throws HelloError for odd lengths and non-hex digits.
std::vector<std::uint8_t> from_hex(const std::string& hex);

}  // namespace harness
