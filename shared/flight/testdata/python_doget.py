"""Arrow Flight DoGet from Python's grpcio (C-core), for the interop test of shared/flight.

Usage: python_doget.py HOST:PORT TICKET OUT_FILE

No Flight or protobuf library: the Ticket request and FlightData responses are encoded and
decoded by hand. The received (data_header, data_body) pairs are re-framed as an Arrow IPC stream
(0xFFFFFFFF, int32 length of the header padded to 8 bytes, header, padding, body) and written to
OUT_FILE, followed by the end-of-stream marker. Prints one JSON line: message count, largest
message, and the gRPC status (code name and details) when the call fails.
"""
import json
import struct
import sys

import grpc

DO_GET = "/arrow.flight.protocol.FlightService/DoGet"


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_ticket(ticket):
    # Ticket { bytes ticket = 1; }
    return b"\x0a" + varint(len(ticket)) + ticket


def read_varint(buf, pos):
    value, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def decode_flight_data(buf):
    # FlightData { descriptor = 1; data_header = 2; app_metadata = 3; data_body = 1000; }
    fields = {"size": len(buf), "header": b"", "body": b""}
    pos = 0
    while pos < len(buf):
        tag, pos = read_varint(buf, pos)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            _, pos = read_varint(buf, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length, pos = read_varint(buf, pos)
            value = buf[pos:pos + length]
            pos += length
            if field == 2:
                fields["header"] = value
            elif field == 1000:
                fields["body"] = value
        else:
            raise ValueError("unsupported wire type %d" % wire)
    return fields


def main():
    target, ticket, out_path = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
    limit = 64 * 1024 * 1024
    channel = grpc.insecure_channel(
        target,
        options=[("grpc.max_receive_message_length", limit), ("grpc.max_send_message_length", limit)],
    )
    do_get = channel.unary_stream(
        DO_GET, request_serializer=encode_ticket, response_deserializer=decode_flight_data
    )
    report = {"messages": 0, "max_message_bytes": 0, "status": "OK", "details": ""}
    with open(out_path, "wb") as out:
        try:
            for data in do_get(ticket, timeout=60):
                report["messages"] += 1
                report["max_message_bytes"] = max(report["max_message_bytes"], data["size"])
                header = data["header"]
                if not header:
                    continue
                padded = (len(header) + 7) & ~7
                out.write(struct.pack("<Ii", 0xFFFFFFFF, padded))
                out.write(header)
                out.write(b"\x00" * (padded - len(header)))
                out.write(data["body"])
        except grpc.RpcError as err:
            report["status"] = err.code().name
            report["details"] = err.details()
        out.write(struct.pack("<Ii", 0xFFFFFFFF, 0))
    channel.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
