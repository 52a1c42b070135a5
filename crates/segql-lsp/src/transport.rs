//! JSON-RPC over a pair of byte streams: one thread reads messages into a channel and
//! one writes messages from another, as `lsp_server::Connection::stdio` does for stdin
//! and stdout; here for any streams, so that tests drive the same framing over pipes.

use anyhow::{anyhow, Result};
use crossbeam_channel::bounded;
use lsp_server::{Connection, Message};
use std::io::{BufRead, Write};

pub fn serve<R, W>(
    mut reader: R,
    mut writer: W,
    run: impl FnOnce(Connection) -> Result<()>,
) -> Result<()>
where
    R: BufRead + Send + 'static,
    W: Write + Send + 'static,
{
    let (to_server, from_client) = bounded::<Message>(0);
    let (to_client, from_server) = bounded::<Message>(0);
    // The reader is not joined: when the server stops on its own (a protocol error),
    // the reader may be waiting for input that never comes; it ends with the process,
    // or when its input closes.
    std::thread::Builder::new()
        .name("segql-lsp-reader".into())
        .spawn(move || -> std::io::Result<()> {
            while let Some(m) = Message::read(&mut reader)? {
                let exit = matches!(&m, Message::Notification(n) if n.method == "exit");
                if to_server.send(m).is_err() || exit {
                    break;
                }
            }
            Ok(())
        })?;
    let write = std::thread::Builder::new()
        .name("segql-lsp-writer".into())
        .spawn(move || -> std::io::Result<()> {
            for m in from_server {
                m.write(&mut writer)?;
            }
            writer.flush()
        })?;
    let result = run(Connection {
        sender: to_client,
        receiver: from_client,
    });
    // The connection is dropped with `run`: the writer sends what is left and stops.
    let written = write
        .join()
        .map_err(|_| anyhow!("the writer thread panicked"))?;
    result?;
    written?;
    Ok(())
}
