//! Several replicas on one state store: the leader election, the Graph throttle shared through
//! PostgreSQL, readiness and metrics naming the leader, and three `guestsync run` processes
//! converging 1,000 identities together while their leader is killed.

mod acceptance;
mod config;
mod leadership;
mod readiness;
mod throttle;
