// broker_server.h: the broker's composition root and gRPC server.
//
// Start() wires the concrete parts from a validated config: the party
// registry and policy, the RocksDB storage with the receipt ledger and the
// case store, the provider transport, the exchange core, and the services,
// then serves them with mutual TLS. Clients must present a certificate that
// chains to the configured CA bundle and is within its validity dates (else
// the handshake fails); a certificate listed in server_tls.crl_file is
// refused on every call. Every call then passes the party's rate and
// concurrency limits (admission.h). Connections are taken by a
// BoundedListener (broker/base/listener/): at most limits.max_connections open,
// handshakes closed after limits.handshake_timeout, accepting never stops for
// good. The server also serves grpc.health.v1.Health (NOT_SERVING while the
// receipt log cannot write or the listener cannot accept, serving_status.h)
// and server reflection, so grpcurl and any gRPC health probe work against it.
// With config.metrics_address set, it serves Prometheus metrics there
// (broker_metrics.h). Every part that decides with the time (receipts, cases,
// conferences, audit disclosures, admission, CRL staleness, the checkpoint
// timer) reads the one clock given here (broker/base/clock.h).
//
//   WAMS_ASSIGN_OR_RETURN(auto server, BrokerServer::Start(config));
//   ... server->port() ...
//   server->Shutdown(absl::Seconds(10));  // in-flight calls finish, storage closes
#ifndef WAMS_BROKER_SERVICES_BROKER_SERVER_H_
#define WAMS_BROKER_SERVICES_BROKER_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"
#include "broker/base/listener/bounded_listener.h"
#include "broker/retention/retention_job.h"
#include "broker/services/serving_status.h"
#include "grpcpp/server.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::services {

namespace v1 = ::wams::broker::v1;

// True when BrokerServer::Start failed because of the config or a file it
// names (missing, unreadable, empty, open to others or malformed TLS files,
// keys and CRLs; witness keys that do not parse; a data directory open to
// others), not because of the environment (storage damaged or locked, the
// address taken). wams-broker exits 2 for these, as for a config that does
// not validate, and 1 for the others.
bool IsConfigError(const absl::Status& status);

struct BrokerServerOptions {
  // The broker's one time source, passed to every part that reads the time;
  // borrowed, must outlive the server. Default: nullptr, meaning a system
  // clock the server owns.
  const base::Clock* clock = nullptr;
};

class BrokerServer {
 public:
  // FAILED_PRECONDITION or NOT_FOUND naming the config field for unusable
  // key, TLS or CRL files (IsConfigError); DATA_LOSS when the stored receipt
  // log does not match its signed checkpoint; UNAVAILABLE when the data
  // directory is locked or the address cannot be bound; FAILED_PRECONDITION
  // naming limits.max_connections when it does not fit the open-file limit.
  static absl::StatusOr<std::unique_ptr<BrokerServer>> Start(const v1::BrokerConfig& config,
                                                             BrokerServerOptions options = {});

  ~BrokerServer();

  // The bound port (useful with port 0).
  int port() const { return port_; }
  // The bound port of the metrics endpoint (config.metrics_address); 0 when
  // there is none.
  int metrics_port() const { return metrics_port_; }
  // The bound port of the REST/JSON face (config.rest_address); 0 when
  // there is none.
  int rest_port() const { return rest_port_; }

  // The retention job (broker/retention/retention_job.h), running on its own
  // thread by the server's clock (unless retention.disabled). To run it now
  // or wait for a run (tests).
  retention::RetentionJob* retention_job() const;

  // Stops accepting calls, lets in-flight calls finish until `grace` has
  // passed, cancels the rest, then closes the ledger and storage. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  struct Parts;  // everything the server owns, in construction order
  explicit BrokerServer(std::unique_ptr<Parts> parts);

  // Before parts_: the ledger's health observer points at it.
  ServingStatus serving_;
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<grpc::Server> server_;
  // After server_: destroyed first, so no connection reaches a server that
  // is gone.
  std::unique_ptr<listener::BoundedListener> listener_;
  int port_ = 0;
  int metrics_port_ = 0;
  int rest_port_ = 0;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_BROKER_SERVER_H_
