#pragma once

#include <QByteArray>

// A small but complete design: one host with a team, a switch, a management vNIC and a VM,
// cabled to a physical switch, with a mirror session. Used by the command and document tests.
inline QByteArray smallDocument()
{
    return R"({
  "schemaVersion": 1,
  "name": "Small",
  "hosts": [{
    "id": "h1", "name": "hv1", "platform": "hyperv", "edition": "Datacenter",
    "nics": [
      {"id": "h1.eth1", "name": "eth1", "interfaceName": "eth1", "speed": 10000000000, "role": "LAN"},
      {"id": "h1.eth2", "name": "eth2", "interfaceName": "eth2", "speed": 10000000000, "role": "LAN"}
    ],
    "teams": [{"id": "h1.team", "name": "LAN", "members": ["h1.eth1", "h1.eth2"], "mode": "SwitchIndependent",
               "teamInterfaces": [{"name": "LAN"}]}],
    "switches": [{"id": "h1.vs", "name": "LAN", "type": "External", "uplink": "h1.team",
                  "minimumBandwidthMode": "Weight", "defaultFlowWeight": 40}],
    "vnics": [{"id": "h1.mgmt", "name": "Mgmt", "switch": "h1.vs", "addresses": ["10.127.4.50/22"],
               "gateway": "10.127.4.1", "minimumBandwidthWeight": 5, "trafficRole": "Management"}],
    "vms": [{"id": "h1.vm1", "name": "vm1", "vcpus": 2,
             "vnics": [{"id": "h1.vm1.lan", "name": "LAN", "switch": "h1.vs",
                        "acls": [{"direction": "Inbound", "action": "Deny", "remoteAddress": "10.0.0.0/8"}]}]}]
  }],
  "physicalSwitches": [{"id": "sw1", "name": "tor1", "ports": [
    {"id": "sw1.p1", "name": "Te1/0/1", "mode": "Trunk", "allowedVlans": [1, 10]},
    {"id": "sw1.p2", "name": "Te1/0/2", "mode": "Trunk", "allowedVlans": [1, 10]}]}],
  "links": [
    {"id": "l1", "name": "cable 1", "a": "h1.eth1", "b": "sw1.p1"},
    {"id": "l2", "name": "cable 2", "a": "h1.eth2", "b": "sw1.p2"}
  ],
  "mirrorSessions": [{"id": "m1", "name": "watch vm1", "switch": "h1.vs", "sources": ["h1.vm1.lan"],
                      "destination": "h1.mgmt"}]
}
)";
}
