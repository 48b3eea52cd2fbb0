//! [`Sandbox`]: the server's side of rule evaluation. Rules run in worker
//! processes started without the server's environment, each under a memory cap
//! and a deadline; at most `workers` run at once, and a request waits for a free
//! one only so long, so rules can never hold every request handler. A worker
//! that overruns is killed and replaced; one that dies is replaced, and its last
//! words say which limit the rule ran into.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};
use tokio::sync::Semaphore;
use tokio::time::timeout;

use crate::protocol::{Definition, Judgement, Request, Response};
use crate::worker::{STACK_BYTES, WORKER_ARG};

/// How rules are bounded.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// The longest one request (all of a type's rules) may take.
    pub time: Duration,
    /// The memory rules may use, beyond the worker program itself.
    pub memory_mib: u64,
    /// Worker processes that may run at once.
    pub workers: usize,
    /// How long a request waits for a free worker before it is turned away.
    pub queue_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(2),
            memory_mib: 256,
            workers: 2,
            queue_wait: Duration::from_secs(10),
        }
    }
}

/// Why rules could not be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    /// The rules or the data are at fault (a limit, a compile error, a failing rule).
    #[error("{0}")]
    Refused(String),
    /// Every worker stayed busy for the whole queue wait.
    #[error("every rule worker is busy; retry shortly")]
    Busy,
    /// The server could not run a worker at all.
    #[error("the rule sandbox is unavailable: {0}")]
    Unavailable(String),
}

/// The program a worker runs.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerCommand {
    program: PathBuf,
    args: Vec<String>,
}

impl WorkerCommand {
    /// A standalone worker program (such as `custody-rules-worker`).
    pub fn program(path: impl Into<PathBuf>) -> Self {
        WorkerCommand {
            program: path.into(),
            args: Vec::new(),
        }
    }

    /// This very executable, run as `<exe> __rules-worker` (the `custody` binary).
    pub fn this_executable() -> Self {
        let program = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("custody"));
        WorkerCommand {
            program,
            args: vec![WORKER_ARG.to_string()],
        }
    }
}

/// Requests a worker serves before it is replaced by a fresh one.
const REQUESTS_PER_WORKER: u32 = 1_000;

/// The longest answer line read from a worker.
const MAX_ANSWER_BYTES: u64 = 1 << 20;

/// A bounded pool of rule workers.
pub struct Sandbox {
    command: WorkerCommand,
    limits: Limits,
    permits: Semaphore,
    idle: Mutex<Vec<Worker>>,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    stderr: ChildStderr,
    served: u32,
}

/// Where an exchange with a worker broke.
enum Broke {
    /// Before the worker could have read the request (it was already gone).
    Sending,
    /// While the worker was working on it.
    Answering,
}

impl Sandbox {
    pub fn new(command: WorkerCommand, limits: Limits) -> Self {
        Sandbox {
            permits: Semaphore::new(limits.workers.max(1)),
            command,
            limits,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Checks that a type's schema, rules and summary expressions compile.
    pub async fn check(&self, definition: &Definition) -> Result<(), RuleError> {
        let request = Request::Check {
            definition: definition.clone(),
        };
        match self.ask(&request).await? {
            Response::Checked => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Judges attestation data under a type's schema and rules, and evaluates
    /// its summary expressions.
    pub async fn judge(
        &self,
        definition: &Definition,
        data: &serde_json::Value,
    ) -> Result<Judgement, RuleError> {
        let request = Request::Judge {
            definition: definition.clone(),
            data: data.to_string(),
        };
        match self.ask(&request).await? {
            Response::Judged(judgement) => Ok(judgement),
            other => Err(unexpected(other)),
        }
    }

    async fn ask(&self, request: &Request) -> Result<Response, RuleError> {
        let _permit = timeout(self.limits.queue_wait, self.permits.acquire())
            .await
            .map_err(|_| RuleError::Busy)?
            .map_err(|_| RuleError::Unavailable("the sandbox is closed".into()))?;
        let mut line =
            serde_json::to_string(request).map_err(|e| RuleError::Unavailable(e.to_string()))?;
        line.push('\n');
        let reused = self.take_idle();
        let fresh = reused.is_none();
        let worker = match reused {
            Some(worker) => worker,
            None => self.spawn()?,
        };
        match self.exchange(worker, &line).await {
            Err((Broke::Sending, _)) if !fresh => {
                let worker = self.spawn()?;
                self.exchange(worker, &line).await.map_err(|(_, e)| e)
            }
            outcome => outcome.map_err(|(_, e)| e),
        }
        .and_then(|answer| match answer {
            Response::Refused { message } => Err(RuleError::Refused(message)),
            answer => Ok(answer),
        })
    }

    fn take_idle(&self) -> Option<Worker> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    fn spawn(&self) -> Result<Worker, RuleError> {
        let mut child = Command::new(&self.command.program)
            .args(&self.command.args)
            .arg("--memory-mib")
            .arg(self.limits.memory_mib.to_string())
            .env_clear()
            .current_dir("/")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                RuleError::Unavailable(format!(
                    "cannot start {}: {e}",
                    self.command.program.display()
                ))
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(RuleError::Unavailable("the worker has no pipes".into()));
        };
        Ok(Worker {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            stderr,
            served: 0,
        })
    }

    /// Sends one request and reads the answer within the time limit; a worker
    /// that answers goes back to the idle list.
    async fn exchange(
        &self,
        mut worker: Worker,
        line: &str,
    ) -> Result<Response, (Broke, RuleError)> {
        if worker.stdin.write_all(line.as_bytes()).await.is_err()
            || worker.stdin.flush().await.is_err()
        {
            let why = self.last_words(worker).await;
            return Err((Broke::Sending, why));
        }
        let mut answer = String::new();
        let read = timeout(
            self.limits.time,
            (&mut worker.stdout)
                .take(MAX_ANSWER_BYTES)
                .read_line(&mut answer),
        )
        .await;
        match read {
            Err(_) => {
                let _ = worker.child.start_kill();
                let _ = worker.child.wait().await;
                Err((
                    Broke::Answering,
                    RuleError::Refused(format!(
                        "the rules took longer than {} ms (the limit) and were stopped: look for a loop that never ends",
                        self.limits.time.as_millis()
                    )),
                ))
            }
            Ok(Ok(n)) if n > 0 && answer.ends_with('\n') => {
                let response = serde_json::from_str(&answer).map_err(|e| {
                    (
                        Broke::Answering,
                        RuleError::Unavailable(format!("unreadable worker answer: {e}")),
                    )
                })?;
                worker.served += 1;
                if worker.served < REQUESTS_PER_WORKER {
                    self.idle
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(worker);
                }
                Ok(response)
            }
            Ok(_) => Err((Broke::Answering, self.last_words(worker).await)),
        }
    }

    /// Why a worker stopped, from its exit status and what it wrote to stderr.
    async fn last_words(&self, mut worker: Worker) -> RuleError {
        let _ = worker.child.start_kill();
        let status = worker.child.wait().await.ok();
        let mut said = Vec::new();
        let _ = (&mut worker.stderr).take(8192).read_to_end(&mut said).await;
        let said = String::from_utf8_lossy(&said);
        if said.contains("overflowed its stack") {
            RuleError::Refused(format!(
                "the rules recursed too deeply (past the {} MiB stack limit) and were stopped",
                STACK_BYTES >> 20
            ))
        } else if said.contains("memory allocation") || said.contains("out of memory") {
            RuleError::Refused(format!(
                "the rules used more than {} MiB of memory (the limit) and were stopped",
                self.limits.memory_mib
            ))
        } else if said.contains("cannot set the worker's limits") || said.contains("usage:") {
            RuleError::Unavailable(said.trim().to_string())
        } else {
            let status = status.map_or_else(|| "unknown".to_string(), |s| s.to_string());
            RuleError::Refused(format!(
                "the rule evaluator stopped while running these rules ({status}); they exceed what rules may do"
            ))
        }
    }
}

fn unexpected(answer: Response) -> RuleError {
    RuleError::Unavailable(format!("unexpected worker answer: {answer:?}"))
}
