// The witness of `wams-audit witness-serve` (broker/tools/auditor/
// witness_server.h): the C2SP tlog-witness checks in process, on a small
// hand-built log, and the same over HTTPS on loopback.
#include "broker/tools/auditor/witness_server.h"

#include <httplib.h>

#include <string>
#include <vector>

#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/note/note.h"
#include "broker/witnessing/protocol.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/idle_connections.h"
#include "tests/testing/temp_dir.h"

namespace wams::auditor {
namespace {

using ledger::Digest;
using ledger::LeafHash;
using ledger::NodeHash;
using ::testing::HasSubstr;

constexpr char kOrigin[] = "log.example/receipts";
constexpr char kWitness[] = "w1.example/witness";

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override { witness_ = NewWitness(); }

  std::unique_ptr<Witness> NewWitness() {
    absl::StatusOr<std::unique_ptr<Witness>> witness =
        Witness::Create({.name = kWitness,
                         .key = ledger::Ed25519PrivateKey::FromPem(witness_key_.ToPem()).value(),
                         .log_keys = log_.VerifierKey() + "\n",
                         .state_dir = dir_.File("state")});
    EXPECT_TRUE(witness.ok()) << witness.status();
    return witness.ok() ? *std::move(witness) : nullptr;
  }
  std::string Note(uint64_t size, const Digest& root, const ledger::NoteSigner& signer) const {
    return signer.Sign(ledger::FormatCheckpointBody({kOrigin, size, root}));
  }
  std::string Body(uint64_t old_size, std::vector<Digest> proof, const std::string& note) const {
    return witnessing::FormatAddCheckpointRequest(
        {.old_size = old_size, .proof = std::move(proof), .note = note});
  }
  // Leaves a, b, c: roots of sizes 1, 2, 3.
  Digest a_ = LeafHash("a"), b_ = LeafHash("b"), c_ = LeafHash("c");
  Digest root1_ = a_, root2_ = NodeHash(a_, b_), root3_ = NodeHash(root2_, c_);

  wams::testing::TempDir dir_;
  ledger::NoteSigner log_{kOrigin, ledger::Ed25519PrivateKey::Generate()};
  ledger::Ed25519PrivateKey witness_key_ = ledger::Ed25519PrivateKey::Generate();
  std::unique_ptr<Witness> witness_;
};

TEST_F(WitnessTest, CosignsAConsistentCheckpointWithAVerifyingCosignature) {
  const std::string note = Note(2, root2_, log_);
  HttpAnswer first = witness_->AddCheckpoint(Body(0, {}, note));
  ASSERT_EQ(first.status, 200) << first.body;
  absl::StatusOr<ledger::ParsedNote> parsed = ledger::ParseNote(note);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(
      ledger::VerifyCosignatureLine(first.body, kWitness, witness_key_.PublicKey(), parsed->text)
          .ok());
  // From 2 to 3 the proof is [c].
  HttpAnswer next = witness_->AddCheckpoint(Body(2, {c_}, Note(3, root3_, log_)));
  EXPECT_EQ(next.status, 200) << next.body;
}

TEST_F(WitnessTest, AnOldSizeThatIsNotItsSizeIs409WithItsSize) {
  ASSERT_EQ(witness_->AddCheckpoint(Body(0, {}, Note(2, root2_, log_))).status, 200);
  HttpAnswer answer = witness_->AddCheckpoint(Body(0, {}, Note(3, root3_, log_)));
  EXPECT_EQ(answer.status, 409);
  EXPECT_EQ(answer.content_type, witnessing::kTreeSizeContentType);
  EXPECT_EQ(answer.body, "2\n");
}

TEST_F(WitnessTest, RefusesAForkedCheckpointAndKeepsItsState) {
  ASSERT_EQ(witness_->AddCheckpoint(Body(0, {}, Note(2, root2_, log_))).status, 200);
  // Same size, another root: 409.
  const Digest forked2 = NodeHash(a_, LeafHash("B"));
  EXPECT_EQ(witness_->AddCheckpoint(Body(2, {}, Note(2, forked2, log_))).status, 409);
  // A larger tree whose proof does not lead from the cosigned root: 422.
  EXPECT_EQ(witness_->AddCheckpoint(Body(2, {c_}, Note(3, NodeHash(forked2, c_), log_))).status,
            422);
  // The honest continuation is still cosigned.
  EXPECT_EQ(witness_->AddCheckpoint(Body(2, {c_}, Note(3, root3_, log_))).status, 200);
}

TEST_F(WitnessTest, RestartRemembersTheSizeItCosigned) {
  ASSERT_EQ(witness_->AddCheckpoint(Body(0, {}, Note(2, root2_, log_))).status, 200);
  witness_.reset();
  std::unique_ptr<Witness> restarted = NewWitness();
  ASSERT_NE(restarted, nullptr);
  HttpAnswer answer = restarted->AddCheckpoint(Body(0, {}, Note(3, root3_, log_)));
  EXPECT_EQ(answer.status, 409);
  EXPECT_EQ(answer.body, "2\n");
  EXPECT_EQ(restarted->AddCheckpoint(Body(2, {c_}, Note(3, root3_, log_))).status, 200);
}

TEST_F(WitnessTest, UnknownOriginIs404AndAnotherKeyIs403) {
  ledger::NoteSigner other_origin("other.example/log", ledger::Ed25519PrivateKey::Generate());
  EXPECT_EQ(
      witness_
          ->AddCheckpoint(Body(
              0, {}, other_origin.Sign(ledger::FormatCheckpointBody({"other.example/log", 1, a_}))))
          .status,
      404);
  ledger::NoteSigner impostor(kOrigin, ledger::Ed25519PrivateKey::Generate());
  EXPECT_EQ(witness_->AddCheckpoint(Body(0, {}, Note(1, root1_, impostor))).status, 403);
}

TEST_F(WitnessTest, MalformedBodiesAre400) {
  const std::string note = Note(2, root2_, log_);
  for (const std::string& body :
       {std::string(""), std::string("old x\n\n") + note,
        std::string("old 3\n\n") + note,                             // old > size
        std::string("old 0\n\nnot a note"), Body(0, {a_}, note)}) {  // a proof from 0
    EXPECT_EQ(witness_->AddCheckpoint(body).status, 400) << body.substr(0, 40);
  }
}

// Over HTTPS: a certificate of the dev PKI, the codes as they go on the wire.
TEST_F(WitnessTest, ServesAddCheckpointOverHttps) {
  const std::filesystem::path pki = dir_.path() / "pki";
  wams::testing::MakeDevPki(pki);
  absl::StatusOr<std::unique_ptr<WitnessServer>> server = WitnessServer::Start(
      *witness_, "127.0.0.1", 0, (pki / "broker.crt").string(), (pki / "broker.key").string());
  ASSERT_TRUE(server.ok()) << server.status();
  httplib::SSLClient client("127.0.0.1", (*server)->port());
  client.set_ca_cert_path((pki / "ca.crt").string());
  client.enable_server_certificate_verification(true);
  auto post = [&](const std::string& body) {
    return client.Post(witnessing::kAddCheckpointPath, body, "text/plain");
  };
  httplib::Result ok = post(Body(0, {}, Note(2, root2_, log_)));
  ASSERT_TRUE(ok) << httplib::to_string(ok.error());
  EXPECT_EQ(ok->status, 200);
  EXPECT_THAT(ok->body, HasSubstr(kWitness));
  httplib::Result conflict = post(Body(0, {}, Note(3, root3_, log_)));
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->status, 409);
  EXPECT_EQ(conflict->get_header_value("Content-Type"), witnessing::kTreeSizeContentType);
  httplib::Result malformed = post("garbage");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  httplib::Result huge = post(std::string(witnessing::kMaxRequestBytes + 1, 'x'));
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  // Still serving after all that.
  httplib::Result again = post(Body(2, {c_}, Note(3, root3_, log_)));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

// Idle TCP connections, which anyone can open, do not hold up the broker's
// push: each connection has a thread of its own (http::ConnectionThreads),
// so the client below is answered before the idle ones' 5 s read timeout.
TEST_F(WitnessTest, IdleConnectionsDoNotHoldUpAPush) {
  const std::filesystem::path pki = dir_.path() / "pki";
  wams::testing::MakeDevPki(pki);
  absl::StatusOr<std::unique_ptr<WitnessServer>> server = WitnessServer::Start(
      *witness_, "127.0.0.1", 0, (pki / "broker.crt").string(), (pki / "broker.key").string());
  ASSERT_TRUE(server.ok()) << server.status();
  const wams::testing::IdleConnections idle((*server)->port(), 100);
  ASSERT_EQ(idle.opened(), 100);
  httplib::SSLClient client("127.0.0.1", (*server)->port());
  client.set_ca_cert_path((pki / "ca.crt").string());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(4, 0);
  client.set_read_timeout(4, 0);
  httplib::Result pushed =
      client.Post(witnessing::kAddCheckpointPath, Body(0, {}, Note(2, root2_, log_)), "text/plain");
  ASSERT_TRUE(pushed) << httplib::to_string(pushed.error());
  EXPECT_EQ(pushed->status, 200);
}

}  // namespace
}  // namespace wams::auditor
