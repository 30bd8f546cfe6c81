// The pure renderings: status bar text, the plan with its reasons, the doctor's checks, progress
// translation, and the debug request / answer mapping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attachConfiguration, debugRequest, DebugConfigError } from '../../src/debugConfig';
import { doctorMarkdown } from '../../src/doctorView';
import { planMarkdown, planSummary } from '../../src/planView';
import { ProgressTranslator } from '../../src/progress';
import { joinExternal, serviceOrigin } from '../../src/serviceUrl';
import { statusView } from '../../src/statusView';
import { doctorResult, gpuAttachment, planResult, portBinding, serviceInfo, workspaceStatus } from '../support/wire';

test('status bar: no container, running with GPUs and attach method, busy', () => {
  assert.match(statusView(undefined).text, /no container/);
  assert.match(statusView(workspaceStatus({ state: 'none' })).text, /no container/);
  const v = statusView(
    workspaceStatus({
      state: 'running',
      containerName: 'dlc-w',
      gpu: gpuAttachment({ method: 'toolkit', selection: 'all', indices: [0, 1], names: ['NVIDIA H100 80GB HBM3', 'NVIDIA H100 80GB HBM3'] }),
      ports: [portBinding({ containerPort: 8888, hostIp: '127.0.0.1', hostPort: 8889 })],
    }),
  );
  assert.equal(v.text, '$(vm-running) dlcontainer: running · 2× NVIDIA H100 80GB HBM3 (toolkit)');
  assert.match(v.tooltip, /GPUs: NVIDIA H100 80GB HBM3, NVIDIA H100 80GB HBM3 via toolkit/);
  assert.match(v.tooltip, /Port 8888 → 127\.0\.0\.1:8889/);
  assert.equal(v.warning, false);
  assert.equal(statusView(workspaceStatus({ state: 'running' })).text, '$(vm-running) dlcontainer: running · no GPU');
  assert.equal(statusView(workspaceStatus({ state: 'running', gpu: gpuAttachment({ method: 'cdi', names: ['A', 'B'] }) })).text,
    '$(vm-running) dlcontainer: running · A, B (cdi)');
  const none = statusView(workspaceStatus({ state: 'running', gpu: gpuAttachment({ method: 'none', reason: 'no NVIDIA driver on this host' }) }));
  assert.equal(none.text, '$(vm-running) dlcontainer: running · no GPU');
  assert.match(none.tooltip, /GPUs: none attached \(no NVIDIA driver on this host\)/);
  assert.equal(statusView(workspaceStatus({ state: 'exited' })).warning, true);
  assert.equal(statusView(workspaceStatus({ state: 'running', outOfDate: true })).warning, true);
  assert.match(statusView(workspaceStatus({ state: 'running' }), 'creating container…').text, /sync~spin.*creating/);
});

test('plan: facts and each decision with its reason, sources, citations and rejected alternatives', () => {
  // The shape core::PlanResult is written in (server/src/core/plan.cpp), resolve::Plan inside it.
  const answer = planResult(
    {
      mode: 'image',
      baseImage: 'pytorch/pytorch:1.11.0-cuda11.3-cudnn8-devel',
      framework: 'torch',
      frameworkVersion: '1.11.0',
      gpu: true,
      cuda: '11.3',
      cudnn: '8',
      flavor: 'devel',
      python: '3.8',
      driverRequired: '465.19.01',
      minorVersionCompatibility: false,
      aptPackages: ['git'],
      pipPackages: ['numpy==1.21.0'],
      host: 'driver 515.48.07, 1 GPU',
      decisions: [
        {
          topic: 'image',
          choice: 'pytorch/pytorch:1.11.0-cuda11.3-cudnn8-devel',
          reason: 'setup.py builds a CUDAExtension',
          facts: [{ file: 'setup.py', line: 12 }, { file: 'requirements.txt' }],
          rejected: ['pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime: has no nvcc'],
          citations: ['PyTorch previous versions <https://pytorch.org/get-started/previous-versions/>'],
        },
        { topic: 'cuda', choice: '11.3', reason: 'driver 515.48.07 supports CUDA ≤ 11.7' },
      ],
      warnings: ['requirements.txt pins nothing for numpy'],
    },
    { workspace: '/src/paper', dockerfile: 'FROM pytorch/pytorch:1.11.0-cuda11.3-cudnn8-devel\n', image: 'dlcontainer/plan:abc123' },
  );
  const md = planMarkdown(answer, '/src/paper');
  assert.match(md, /^# dlcontainer plan for \/src\/paper/);
  assert.match(md, /\*\*Image\*\*: pytorch\/pytorch:1\.11\.0-cuda11\.3-cudnn8-devel, built as dlcontainer\/plan:abc123/);
  assert.match(md, /\*\*Framework\*\*: torch 1\.11\.0/);
  assert.match(md, /\*\*CUDA\*\*: 11\.3, cuDNN 8, devel/);
  assert.match(md, /\*\*Driver needed\*\*: ≥ 465\.19\.01/);
  assert.match(md, /\*\*apt\*\*: git/);
  assert.match(md, /\*\*image\*\*: `pytorch\/pytorch:1\.11\.0-cuda11\.3-cudnn8-devel`, because setup\.py builds a CUDAExtension\n  - from setup\.py:12, requirements\.txt/);
  assert.match(md, /rejected pytorch\/pytorch:1\.11\.0-cuda11\.3-cudnn8-runtime: has no nvcc/);
  assert.match(md, /source: PyTorch previous versions/);
  assert.match(md, /\*\*cuda\*\*: `11\.3`, because driver 515\.48\.07 supports CUDA ≤ 11\.7/);
  assert.match(md, /⚠ requirements\.txt pins nothing/);
  assert.match(md, /```dockerfile\nFROM pytorch/);
  const summary = planSummary(answer);
  assert.match(summary, /^Image: pytorch\/pytorch:1\.11\.0/);
  assert.match(summary, /Why:\n• image: pytorch\/pytorch:1\.11\.0-cuda11\.3-cudnn8-devel \(setup\.py builds a CUDAExtension\)/);
  assert.doesNotMatch(summary, /\*\*|`/);
  // The repository's own Dockerfile, planned for a host without a GPU: no CUDA line.
  const cpu = planSummary(planResult({ mode: 'dockerfile', dockerfile: 'Dockerfile', baseImage: 'debian:bookworm-slim', gpu: false }));
  assert.match(cpu, /Image: the repository's Dockerfile \(FROM debian:bookworm-slim\)/);
  assert.doesNotMatch(cpu, /CUDA/);
  // A CPU image the resolver chose says so, and whose Python it is.
  const cpuImage = planSummary(planResult({ mode: 'image', baseImage: 'python:3.10-slim', gpu: false }));
  assert.match(cpuImage, /CUDA: none \(a CPU image\)/);
  assert.match(cpuImage, /Python: the image's own/);
});

test('doctor: failed checks show their fix, passed ones do not', () => {
  const md = doctorMarkdown(
    doctorResult({
      ok: false,
      method: 'none',
      methodReason: 'no GPU to attach',
      checks: [
        { id: 'driver', title: 'NVIDIA driver', status: 'fail', result: 'no driver loaded', fix: 'sudo apt install nvidia-driver' },
        { id: 'docker-running', title: 'Docker engine', status: 'ok', result: 'running, API 1.41', fix: 'unused' },
        { id: 'mirrors', title: 'Registry mirrors', status: 'info', result: 'none set' },
      ],
    }),
  );
  assert.match(md, /❌ \*\*NVIDIA driver\*\*: no driver loaded\n  - fix: `sudo apt install nvidia-driver`/);
  assert.match(md, /✅ \*\*Docker engine\*\*: running/);
  assert.doesNotMatch(md, /fix: `unused`/);
  assert.match(md, /cannot be made yet/);
  assert.match(md, /ℹ️ \*\*Registry mirrors\*\*: none set/);
  assert.match(md, /GPUs would be attached by: none \(no GPU to attach\)/);
});

test('progress: percentages become increments, messages pass, begin\'s title does not', () => {
  const t = new ProgressTranslator();
  assert.deepEqual(t.translate({ kind: 'begin', title: 'workspace/up', percentage: 0 }), {});
  assert.deepEqual(t.translate({ kind: 'report', message: 'Building image: step 2/5', percentage: 40 }), {
    message: 'Building image: step 2/5',
    increment: 40,
  });
  // Never backwards: a lower percentage adds nothing.
  assert.deepEqual(t.translate({ kind: 'report', message: 'step 3/5', percentage: 30 }), { message: 'step 3/5' });
  assert.deepEqual(t.translate({ kind: 'report', percentage: 100 }), { increment: 60 });
  assert.equal(t.translate({ kind: 'end' }), undefined);
});

test('debug: launch and attach requests, and the answer passed on with the user\'s name', () => {
  assert.deepEqual(debugRequest({ type: 'dlcontainer', request: 'launch', name: 'x', program: '/w/train.py', args: ['--lr', '1'] }, '/w'), {
    method: 'debug/python',
    params: { workspace: '/w', command: ['train.py', '--lr', '1'], wait: true },
  });
  assert.deepEqual(debugRequest({ type: 'dlcontainer', request: 'launch', name: 'x', language: 'cpp', program: '/w/build/a.out' }, '/w').params, {
    workspace: '/w',
    command: ['build/a.out'],
  });
  assert.deepEqual(debugRequest({ type: 'dlcontainer', request: 'launch', name: 'x', program: 'tools/x.py' }, '/w').params.command, ['tools/x.py']);
  assert.throws(() => debugRequest({ type: 'dlcontainer', request: 'launch', name: 'x', program: '/elsewhere/x.py' }, '/w'), /not in the workspace folder/);
  assert.deepEqual(debugRequest({ type: 'dlcontainer', request: 'attach', name: 'x', language: 'cpp', processId: '42' }, '/w'), {
    method: 'debug/gdb',
    params: { workspace: '/w', pid: 42 },
  });
  assert.throws(() => debugRequest({ type: 'dlcontainer', request: 'attach', name: 'x' }, '/w'), DebugConfigError);
  assert.throws(() => debugRequest({ type: 'dlcontainer', request: 'launch', name: 'x' }, '/w'), DebugConfigError);
  assert.throws(() => debugRequest({ type: 'dlcontainer', request: 'launch', name: 'x', language: 'rust' as 'cpp', program: 'p' }, '/w'), DebugConfigError);

  const answer = serviceInfo({
    kind: 'debugpy',
    url: '',
    launch: {
      type: 'debugpy',
      request: 'attach',
      name: 'server name',
      connect: { host: '127.0.0.1', port: 5679 },
      pathMappings: [{ localRoot: '/w', remoteRoot: '/workspaces/w' }],
    },
  });
  const cfg = attachConfiguration(answer, { type: 'dlcontainer', request: 'launch', name: 'mine' });
  assert.equal(cfg.type, 'debugpy');
  assert.equal(cfg.name, 'mine');
  assert.deepEqual(cfg.pathMappings, [{ localRoot: '/w', remoteRoot: '/workspaces/w' }]);
  const gdb = attachConfiguration(
    serviceInfo({
      kind: 'gdbserver',
      launch: { type: 'cppdbg', request: 'launch', name: 'gdb', program: '/w/a.out', miDebuggerServerAddress: '127.0.0.1:2345' },
    }),
    { type: 'dlcontainer', request: 'launch', name: 'c' },
  );
  assert.equal(gdb.miDebuggerServerAddress, '127.0.0.1:2345');
  assert.equal(gdb.name, 'c');
  // A service answer without `launch` (a server that started something else) is refused, not run.
  assert.throws(() => attachConfiguration(serviceInfo({ kind: 'gdbserver' }), { type: 'dlcontainer', request: 'launch', name: 'c' }), DebugConfigError);
});

test('service URLs: only the origin goes through asExternalUri; path and token are put back', () => {
  assert.equal(serviceOrigin('http://127.0.0.1:8888/tree?token=abc'), 'http://127.0.0.1:8888/');
  // Desktop: the same origin comes back.
  assert.equal(joinExternal('http://127.0.0.1:8888/', 'http://127.0.0.1:8888/tree?token=abc'), 'http://127.0.0.1:8888/tree?token=abc');
  // code-server's path proxy and domain proxy.
  assert.equal(
    joinExternal('http://127.0.0.1:9000/proxy/8888/', 'http://127.0.0.1:8888/lab?token=abc'),
    'http://127.0.0.1:9000/proxy/8888/lab?token=abc',
  );
  assert.equal(joinExternal('http://8888.localhost:9000/', 'http://127.0.0.1:8888/?token=a%2Bb'), 'http://8888.localhost:9000/?token=a%2Bb');
  assert.equal(joinExternal('https://x.example/p', 'http://127.0.0.1:6006/#scalars'), 'https://x.example/p/#scalars');
});
