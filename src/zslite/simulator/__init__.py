"""Simulated hypervisor and storage agents: nothing is contacted, facts come from the request.

- ceph: monitor URLs and the fsid a Ceph cluster reports;
- agents: what a host, primary or backup storage reports when it connects (capacities, status),
  and the admin-only SetSimulatorResourceStatus that drives agent-side status.
"""
