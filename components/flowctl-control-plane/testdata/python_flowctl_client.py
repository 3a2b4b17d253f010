"""Talks to a flowctl control plane with Python grpcio (C-core), encoding every protobuf message
by hand from the field numbers of the flowctl fact sheet (no .proto, no generated code), so that
the control plane's wire format is checked independently of protobufjs.

Usage: python_flowctl_client.py HOST:PORT  -> prints a JSON report on stdout.
"""
import json
import struct
import sys
import time

import grpc


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wire):
    return varint((field << 3) | wire)


def f_varint(field, n):
    return key(field, 0) + varint(n)


def f_bytes(field, data):
    return key(field, 2) + varint(len(data)) + data


def f_str(field, s):
    return f_bytes(field, s.encode())


def f_double(field, x):
    return key(field, 1) + struct.pack("<d", x)


def map_entry(field, k, value_bytes):
    return f_bytes(field, f_str(1, k) + value_bytes)


def parse(data):
    """Decodes one message level into {field: [values]} (bytes for LEN, int for VARINT, float64
    for I64)."""
    i, out = 0, {}
    while i < len(data):
        k, i = read_varint(data, i)
        field, wire = k >> 3, k & 7
        if wire == 0:
            v, i = read_varint(data, i)
        elif wire == 1:
            v = struct.unpack("<d", data[i:i + 8])[0]
            i += 8
        elif wire == 2:
            n, i = read_varint(data, i)
            v = data[i:i + n]
            i += n
        elif wire == 5:
            v = data[i:i + 4]
            i += 4
        else:
            raise ValueError("wire type %d" % wire)
        out.setdefault(field, []).append(v)
    return out


def read_varint(data, i):
    shift = n = 0
    while True:
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        if not b & 0x80:
            return n, i
        shift += 7


def call(channel, path, request):
    fn = channel.unary_unary(path, request_serializer=lambda b: b, response_deserializer=lambda b: b)
    try:
        return "OK", fn(request, timeout=5)
    except grpc.RpcError as e:
        return e.code().name, e.details()


def main():
    target = sys.argv[1]
    report = {}
    with grpc.insecure_channel(target) as ch:
        # Legacy Register(ServiceInfo): 2 service_type=SOURCE(1), 4 output_event_types,
        # 5 health_endpoint, 6 max_inflight, 7 metadata, 8 component_id.
        info = (f_varint(2, 1) + f_str(4, "stellar_ledger_service.StellarLedger")
                + f_str(5, "http://py:8088/health") + f_varint(6, 77)
                + map_entry(7, "network", f_str(2, "py-net")) + f_str(8, "py-component"))
        status, ack = call(ch, "/flowctl.ControlPlane/Register", info)
        a = parse(ack)
        service_id = a[1][0].decode()
        report["register"] = {
            "status": status,
            "service_id": service_id,
            "topics": [t.decode() for t in a.get(2, [])],
            "connection_info": {parse(e)[1][0].decode(): parse(e)[2][0].decode() for e in a.get(3, [])},
        }
        # Legacy Heartbeat(ServiceHeartbeat): 1 service_id, 2 Timestamp{1 seconds}, 3 map<string,double>.
        hb = (f_str(1, service_id) + f_bytes(2, f_varint(1, int(time.time())))
              + map_entry(3, "ledgers_processed", f_double(2, 42.5)))
        report["heartbeat"] = call(ch, "/flowctl.ControlPlane/Heartbeat", hb)[0]
        # Legacy GetServiceStatus(ServiceInfo{1 service_id}) -> ServiceStatus.
        status, st = call(ch, "/flowctl.ControlPlane/GetServiceStatus", f_str(1, service_id))
        s = parse(st)
        report["status"] = {
            "status": status,
            "service_id": s[1][0].decode(),
            "service_type": s.get(2, [0])[0],
            "is_healthy": s.get(3, [0])[0],
            "last_heartbeat_seconds": parse(s[4][0]).get(1, [0])[0],
            "metrics": {parse(e)[1][0].decode(): parse(e)[2][0] for e in s.get(5, [])},
            "component_id": s[6][0].decode(),
        }
        # v1 RegisterComponent(RegisterRequest{1 ComponentInfo, 2 component_id}); ComponentInfo:
        # 2 name, 4 version, 5 type=CONSUMER(3), 6 input_event_types, 8 endpoint, 9 metadata.
        comp = (f_str(2, "py-sink") + f_str(4, "9.9.9") + f_varint(5, 3)
                + f_str(6, "ttp_event_service.TTPEvent") + f_str(8, "py:8818")
                + map_entry(9, "output_formats", f_str(2, "parquet")))
        status, res = call(ch, "/flowctl.v1.ControlPlaneService/RegisterComponent", f_bytes(1, comp))
        r = parse(res)
        v1_id = r[1][0].decode()
        report["v1_register"] = {"status": status, "service_id": v1_id, "topics": [t.decode() for t in r.get(2, [])]}
        # v1 Heartbeat(HeartbeatRequest{1 service_id, 2 status=DEGRADED(3), 3 map<string,string>}).
        hb1 = f_str(1, v1_id) + f_varint(2, 3) + map_entry(3, "events_written", f_str(2, "1234"))
        report["v1_heartbeat"] = call(ch, "/flowctl.v1.ControlPlaneService/Heartbeat", hb1)[0]
        report["v1_heartbeat_unknown"] = call(
            ch, "/flowctl.v1.ControlPlaneService/Heartbeat", f_str(1, "no-such-service"))[0]
        # v1 GetComponentStatus(ComponentStatusRequest{1 service_id}) -> ComponentStatusResponse:
        # 1 component, 2 status, 3 last_heartbeat, 4 metrics, 5 registered_at.
        status, cs = call(ch, "/flowctl.v1.ControlPlaneService/GetComponentStatus", f_str(1, v1_id))
        c = parse(cs)
        ci = parse(c[1][0])
        report["v1_status"] = {
            "status": status,
            "id": ci[1][0].decode(),
            "name": ci[2][0].decode(),
            "type": ci.get(5, [0])[0],
            "endpoint": ci[8][0].decode(),
            "health": c.get(2, [0])[0],
            "metrics": {parse(e)[1][0].decode(): parse(e)[2][0].decode() for e in c.get(4, [])},
            "has_registered_at": 5 in c,
        }
        # v1 UnregisterComponent(UnregisterRequest{1 service_id}).
        report["v1_unregister"] = call(
            ch, "/flowctl.v1.ControlPlaneService/UnregisterComponent", f_str(1, v1_id))[0]
    print(json.dumps(report))


if __name__ == "__main__":
    main()
