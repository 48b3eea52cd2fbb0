# The custody binary (server, CLI and reporters) in a small image:
#   docker build -t custody .
#   docker run -p 8080:8080 -e CUSTODY_DATABASE_URL=postgres://… custody
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p custody && strip target/release/custody

# glibc, libgcc and CA certificates, nothing else; runs as an unprivileged user.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/custody /usr/local/bin/custody
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/custody"]
CMD ["server", "--bind", "0.0.0.0:8080"]
