package main

// Regenerate ent (and schema/ent.graphql), then the GraphQL executor: `go generate ./...`.
//go:generate sh -c "cd ent && go run -mod=mod entc.go"
//go:generate go run github.com/99designs/gqlgen generate
