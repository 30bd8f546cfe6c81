// Complete wire objects for the pure views' tests: each has every field its schema requires (the
// types are generated from schemas/protocol/), so a test states only what it is about and still
// passes the view what the server sends.
import {
  DoctorResult,
  GpuAttachment,
  HostFacts,
  PortBinding,
  ServiceInfo,
  WorkspacePlanResult,
  WorkspaceStatus,
} from '../../src/protocol';

export function gpuAttachment(o: Partial<GpuAttachment> = {}): GpuAttachment {
  return { method: 'none', selection: '', indices: [], uuids: [], names: [], engineIds: [], reason: '', ...o };
}

export function portBinding(o: Partial<PortBinding> = {}): PortBinding {
  return { containerPort: 8888, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8888, ...o };
}

export function workspaceStatus(o: Partial<WorkspaceStatus> = {}): WorkspaceStatus {
  const none = o.state === undefined || o.state === 'none';
  return {
    workspace: '/w',
    state: 'none',
    containerId: none ? '' : '0123456789abcdef',
    containerName: none ? '' : 'dlc-w',
    image: none ? '' : 'dlc-test/python:latest',
    configFile: '/w/.devcontainer/devcontainer.json',
    remoteUser: none ? '' : 'root',
    remoteWorkspaceFolder: none ? '' : '/workspaces/w',
    startedAt: '',
    outOfDate: false,
    ports: [],
    ...o,
  };
}

type Plan = WorkspacePlanResult['plan'];
type Facts = WorkspacePlanResult['facts'];

export function plan(o: Partial<Plan> = {}): Plan {
  return {
    mode: 'image',
    baseImage: '',
    framework: '',
    frameworkVersion: '',
    gpu: true,
    cuda: '',
    cudnn: '',
    python: '',
    flavor: '',
    driverRequired: '',
    minorVersionCompatibility: false,
    baseHasPython: true,
    aptPackages: [],
    pipPackages: [],
    pipConstraints: [],
    pipOptions: [],
    env: {},
    host: '',
    catalog: ['built-in'],
    decisions: [],
    warnings: [],
    ...o,
  };
}

export function planResult(p: Partial<Plan>, o: Partial<Omit<WorkspacePlanResult, 'plan'>> = {}): WorkspacePlanResult {
  const facts: Facts = { root: o.workspace ?? '/w', requirements: [], hints: [], cudaCode: [], systemNeeds: [], dockerfiles: [], filesSeen: 0 };
  return { workspace: '/w', plan: plan(p), facts, ...o };
}

export function hostFacts(o: Partial<HostFacts> = {}): HostFacts {
  return { driverPresent: false, driverVersion: '', cudaVersion: '', gpus: [], source: '', whyNone: 'no NVIDIA driver', libraryPath: '', ...o };
}

export function doctorResult(o: Partial<DoctorResult> = {}): DoctorResult {
  return { ok: true, method: 'none', methodReason: '', checks: [], host: hostFacts(), ...o };
}

export function serviceInfo(o: Partial<ServiceInfo> = {}): ServiceInfo {
  return {
    kind: 'jupyter',
    url: '',
    hostIp: '127.0.0.1',
    hostPort: 8888,
    containerPort: 8888,
    via: 'published',
    pid: 42,
    reused: false,
    detail: '',
    log: '/tmp/service.log',
    notes: [],
    ...o,
  };
}
