//! Asynchronous delivery: a blocked handler does not block the sender, each handler sees
//! its events in order, a full queue drops with an error, and closing drains the queues.

use std::sync::{Arc, Mutex};

use crossbeam_channel::{bounded, Receiver, Sender};
use tickflow_alert::{
    AlertData, Delivery, Dispatcher, Handler, HandlerError, PostHandler, QueueFull, TcpHandler,
};

use crate::event;
use tickflow_testkit::sink::{closed_address, Sink};

/// A handler that announces each event, then waits for the test's permission.
struct Gated {
    started: Sender<String>,
    gate: Receiver<()>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Handler for Gated {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let _ = self.started.send(event.id.clone());
        let _ = self.gate.recv();
        self.seen.lock().expect("lock").push(event.id.clone());
        Ok(())
    }

    fn describe(&self) -> String {
        "gated".into()
    }
}

/// The test's side of a [`Gated`] handler.
struct Probe {
    started: Receiver<String>,
    gate: Sender<()>,
    seen: Arc<Mutex<Vec<String>>>,
}

fn gated() -> (Gated, Probe) {
    let (started, started_rx) = bounded(16);
    let (gate_tx, gate) = bounded(16);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handler = Gated {
        started,
        gate,
        seen: Arc::clone(&seen),
    };
    let probe = Probe {
        started: started_rx,
        gate: gate_tx,
        seen,
    };
    (handler, probe)
}

#[test]
fn a_blocked_handler_does_not_block_sending_and_close_drains_in_order() {
    let (
        handler,
        Probe {
            started,
            gate,
            seen,
        },
    ) = gated();
    let mut dispatcher = Dispatcher::new(vec![Box::new(handler)], 10).expect("threads");
    for id in ["1", "2", "3"] {
        dispatcher.send(event(id, 1.0));
    }
    // The handler holds event 1 while 2 and 3 wait: sending returned regardless.
    assert_eq!(started.recv().as_deref(), Ok("1"));
    for _ in 0..3 {
        gate.send(()).expect("gate");
    }
    assert!(dispatcher.close().is_empty());
    assert_eq!(*seen.lock().expect("lock"), ["1", "2", "3"]);
}

#[test]
fn a_full_queue_drops_the_event_with_an_error() {
    let (
        handler,
        Probe {
            started,
            gate,
            seen,
        },
    ) = gated();
    let mut dispatcher = Dispatcher::new(vec![Box::new(handler)], 1).expect("threads");
    dispatcher.send(event("held", 1.0));
    assert_eq!(started.recv().as_deref(), Ok("held"));
    dispatcher.send(event("queued", 1.0));
    dispatcher.send(event("dropped", 1.0));
    let errors = dispatcher.take_errors();
    assert_eq!(errors.len(), 1);
    assert!(matches!(
        &errors[0],
        HandlerError::QueueFull(QueueFull { handler, capacity: 1, id })
            if handler == "gated" && id == "dropped"
    ));
    assert_eq!(
        errors[0].to_string(),
        "gated: queue of 1 events is full, dropped event \"dropped\""
    );
    gate.send(()).expect("gate");
    gate.send(()).expect("gate");
    dispatcher.close();
    assert_eq!(*seen.lock().expect("lock"), ["held", "queued"]);
    assert_eq!(
        dispatcher.delivery(),
        Delivery {
            sent: 2,
            failed: 0,
            dropped: 1
        }
    );
}

#[test]
fn a_slow_post_target_gets_every_event_in_order_and_others_are_not_held_up() {
    let (release, wait) = bounded::<()>(8);
    let sink = Sink::http(3, Vec::new(), "", move || {
        let _ = wait.recv();
    });
    let post = PostHandler::new(&sink.url).expect("valid url");
    let failing = TcpHandler::new(closed_address());
    let mut dispatcher =
        Dispatcher::new(vec![Box::new(post), Box::new(failing)], 10).expect("threads");
    let events = [event("1", 1.0), event("2", 2.0), event("3", 3.0)];
    for e in &events {
        dispatcher.send(e.clone());
    }
    // The tcp handler fails three times while the post target is still held.
    let mut tcp_errors = 0;
    while tcp_errors < 3 {
        let errors = dispatcher.take_errors();
        assert!(errors.iter().all(|e| matches!(e, HandlerError::Tcp(_))));
        tcp_errors += errors.len();
        std::thread::yield_now();
    }
    for _ in 0..3 {
        release.send(()).expect("release");
    }
    assert!(dispatcher.close().is_empty());
    assert_eq!(
        dispatcher.delivery(),
        Delivery {
            sent: 3,
            failed: 3,
            dropped: 0
        }
    );
    let bodies: Vec<String> = sink.finish().into_iter().map(|r| r.body).collect();
    let expected: Vec<String> = events
        .iter()
        .map(|e| e.to_json().expect("finite") + "\n")
        .collect();
    assert_eq!(bodies, expected);
}
