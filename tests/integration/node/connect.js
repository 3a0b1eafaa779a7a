// One push.v1 Push through @connectrpc/connect-node, driven by
// tests/integration/test_connect_node.py.
//
//   node connect.js <baseUrl> <grpc|grpcweb|connect> <1.1|2> <service_name> [Header: value]...
//
// The PusherService descriptor is built here from a FileDescriptorProto that mirrors
// ../proto/push.proto, so no generated code lives in the repository. Prints `{}` and
// exits 0 on success; prints {"code", "message"} and exits 1 on a Connect error;
// with gRPC and gRPC-Web, "grpcStatus" says where the status travelled.
"use strict";

const { create } = require("@bufbuild/protobuf");
const { createFileRegistry } = require("@bufbuild/protobuf");
const { FileDescriptorProtoSchema } = require("@bufbuild/protobuf/wkt");
const { Code, ConnectError, createClient } = require("@connectrpc/connect");
const { validateReadWriteMaxBytes } = require("@connectrpc/connect/protocol");
const { createTransport: createGrpcProtocolTransport } = require("@connectrpc/connect/protocol-grpc");
const {
  compressionGzip,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  createNodeHttpClient,
} = require("@connectrpc/connect-node");

const STRING = 9; // FieldDescriptorProto.Type
const BYTES = 12;
const MESSAGE = 11;
const REPEATED = 3; // FieldDescriptorProto.Label
const OPTIONAL = 1;

function field(name, number, type, label, typeName) {
  return { name, number, type, label, typeName };
}

const pushProto = create(FileDescriptorProtoSchema, {
  name: "push/v1/push.proto",
  package: "push.v1",
  syntax: "proto3",
  messageType: [
    {
      name: "PushRequest",
      field: [field("series", 1, MESSAGE, REPEATED, ".push.v1.RawProfileSeries")],
    },
    { name: "PushResponse" },
    {
      name: "RawProfileSeries",
      field: [
        field("labels", 1, MESSAGE, REPEATED, ".push.v1.LabelPair"),
        field("samples", 2, MESSAGE, REPEATED, ".push.v1.RawSample"),
      ],
    },
    {
      name: "LabelPair",
      field: [field("name", 1, STRING, OPTIONAL), field("value", 2, STRING, OPTIONAL)],
    },
    {
      name: "RawSample",
      field: [field("raw_profile", 1, BYTES, OPTIONAL), field("ID", 2, STRING, OPTIONAL)],
    },
  ],
  service: [
    {
      name: "PusherService",
      method: [
        { name: "Push", inputType: ".push.v1.PushRequest", outputType: ".push.v1.PushResponse" },
      ],
    },
  ],
});

// createGrpcTransport always picks HTTP/2; gRPC over HTTP/1.1 (status in chunked
// trailers, which Node's HTTP/1.1 client reads) is the same gRPC protocol code on
// connect-node's HTTP/1.1 client, with createGrpcTransport's other defaults.
function createGrpcHttp1Transport({ baseUrl }) {
  return createGrpcProtocolTransport({
    baseUrl,
    httpClient: createNodeHttpClient({ httpVersion: "1.1" }),
    useBinaryFormat: true,
    interceptors: [],
    sendCompression: null,
    acceptCompression: [compressionGzip],
    ...validateReadWriteMaxBytes(undefined, undefined, undefined),
  });
}

const TRANSPORTS = {
  grpc: (options) =>
    options.httpVersion === "1.1" ? createGrpcHttp1Transport(options) : createGrpcTransport(options),
  grpcweb: createGrpcWebTransport,
  connect: createConnectTransport,
};

async function main() {
  const [baseUrl, protocol, httpVersion, service, ...headerArgs] = process.argv.slice(2);
  const registry = createFileRegistry(pushProto, () => undefined);
  const pusher = registry.getService("push.v1.PusherService");
  const transport = TRANSPORTS[protocol]({ baseUrl, httpVersion });
  const client = createClient(pusher, transport);
  const headers = new Headers();
  for (const arg of headerArgs) {
    const colon = arg.indexOf(":");
    headers.append(arg.slice(0, colon), arg.slice(colon + 1).trim());
  }
  const request = {
    series: [
      {
        labels: [
          { name: "__name__", value: "process_cpu" },
          { name: "service_name", value: service },
        ],
        samples: [{ rawProfile: Buffer.from("\x1f\x8b\x08\x00fake-pprof", "latin1"), ID: "id-1" }],
      },
    ],
  };
  // Where the response carried `grpc-status`: "trailer" (HTTP trailers or the
  // gRPC-Web trailer envelope) or "header" (a trailers-only response).
  let grpcStatus;
  const seen = (where) => (fields) => {
    if (fields.has("grpc-status") && grpcStatus === undefined) grpcStatus = where;
  };
  const options = { headers, timeoutMs: 30000, onHeader: seen("header"), onTrailer: seen("trailer") };
  let reply;
  try {
    await client.push(request, options);
    reply = {};
  } catch (err) {
    const error = ConnectError.from(err);
    reply = { code: Code[error.code], message: error.rawMessage };
    process.exitCode = 1;
  }
  if (grpcStatus !== undefined) reply.grpcStatus = grpcStatus;
  process.stdout.write(JSON.stringify(reply) + "\n");
}

main();
