//! A child program in a pipe (`pg_dump`, `pg_restore`, `age`): its standard error is kept
//! (the last few kilobytes) to explain a failure, and it is killed if dropped unfinished.

use crate::BackupError;
use std::path::Path;
use std::process::Stdio;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

/// Enough of standard error for the message that matters, never an unbounded buffer.
const STDERR_KEPT: usize = 4096;

#[derive(Debug)]
pub struct Tool {
    name: String,
    pub child: Child,
    stderr: Option<JoinHandle<String>>,
}

impl Tool {
    /// Starts `program` with `stdin` and a piped standard output.
    ///
    /// # Errors
    /// When the program cannot be started (not installed, not executable).
    pub fn spawn(
        program: &Path,
        args: &[&str],
        envs: &[(&str, &str)],
        stdin: Stdio,
    ) -> Result<Self, BackupError> {
        let name = program.file_name().map_or_else(
            || program.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut child = Command::new(program)
            .args(args)
            .envs(envs.iter().copied())
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| BackupError::Tool(format!("cannot start {}: {e}", program.display())))?;
        let stderr = child.stderr.take().map(|mut pipe| {
            tokio::spawn(async move {
                let mut tail = Vec::new();
                let mut buffer = [0_u8; 1024];
                while let Ok(read) = pipe.read(&mut buffer).await {
                    if read == 0 {
                        break;
                    }
                    tail.extend_from_slice(&buffer[..read]);
                    if tail.len() > STDERR_KEPT {
                        tail.drain(..tail.len() - STDERR_KEPT);
                    }
                }
                String::from_utf8_lossy(&tail).trim().to_owned()
            })
        });
        Ok(Self {
            name,
            child,
            stderr,
        })
    }

    /// Stops it now (after another part of the pipe failed).
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }

    /// Waits for it to end.
    ///
    /// # Errors
    /// When it failed: its exit status and the end of its standard error.
    pub async fn finish(mut self) -> Result<(), BackupError> {
        let status = self
            .child
            .wait()
            .await
            .map_err(|e| BackupError::Tool(format!("{}: {e}", self.name)))?;
        let stderr = match self.stderr.take() {
            Some(task) => task.await.unwrap_or_default(),
            None => String::new(),
        };
        if status.success() {
            if !stderr.is_empty() {
                tracing::info!(tool = %self.name, output = %stderr, "backup tool said");
            }
            Ok(())
        } else {
            Err(BackupError::Tool(format!(
                "{} failed ({status}): {stderr}",
                self.name
            )))
        }
    }
}
