//! Local AWS fakes for the `snapshot ecs|lambda|s3` tests: moto in server mode
//! (`moto_server`, from `pip install 'moto[server]'`), seeded through its API
//! with boto3, and a one-answer HTTP server replaying an AWS error.
//!
//! The tests need `moto_server` on PATH (`scripts/test` installs it when missing);
//! without it they fail and say how to install it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Seeds moto: `python3 - KIND` with `MOTO_URL`, printing what the tests expect as JSON.
const SEED: &str = r##"
import base64, datetime, hashlib, io, json, os, sys, zipfile
import boto3
kw = dict(endpoint_url=os.environ["MOTO_URL"], region_name="us-east-1",
          aws_access_key_id="testing", aws_secret_access_key="testing")
out = {}
if sys.argv[1] == "ecs":
    import urllib.request
    # moto advances a task's status on every read unless told otherwise: keep them RUNNING.
    urllib.request.urlopen(urllib.request.Request(os.environ["MOTO_URL"] + "/moto-api/state-manager/set-transition",
        data=json.dumps({"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1000000}}).encode()))
    ecs = boto3.client("ecs", **kw)
    def run(cluster, family, image, count):
        ecs.create_cluster(clusterName=cluster)
        ecs.register_task_definition(family=family, containerDefinitions=[
            {"name": family, "image": image, "memory": 128}])
        ecs.create_service(cluster=cluster, serviceName=family, taskDefinition=family, desiredCount=count)
        tasks = ecs.run_task(cluster=cluster, taskDefinition=family, count=count, startedBy=family,
            launchType="FARGATE", networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-1"]}})
        return [t["taskArn"] for t in tasks["tasks"]]
    out["web"] = run("prod", "web", "nginx@sha256:" + "a" * 64, 2)
    out["api"] = run("staging", "api", "registry.example.com/api:2.0", 2)
    ecs.stop_task(cluster="staging", task=out["api"][1], reason="test")
elif sys.argv[1] == "lambda":
    lam = boto3.client("lambda", **kw)
    role = boto3.client("iam", **kw).create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for name in ["orders", "payments", "legacy-report"]:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("index.py", "# " + name)
        created = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role,
            Handler="index.h", Code={"ZipFile": buf.getvalue()})
        at = datetime.datetime.strptime(created["LastModified"][:19], "%Y-%m-%dT%H:%M:%S")
        out[name] = {"digest": hashlib.sha256(buf.getvalue()).hexdigest(),
                     "at": int(at.replace(tzinfo=datetime.timezone.utc).timestamp())}
else:
    s3 = boto3.client("s3", **kw)
    s3.create_bucket(Bucket="site")
    for key, body in [("index.html", "<h1>hi</h1>"), ("css/app.css", "body{}"), ("logs/today.log", "x")]:
        s3.put_object(Bucket="site", Key=key, Body=body.encode())
    for o in s3.list_objects_v2(Bucket="site")["Contents"]:
        out[o["Key"]] = int(o["LastModified"].timestamp())
print(json.dumps(out))
"##;

/// A running `moto_server`; killed on drop.
pub struct Moto {
    child: Child,
    pub url: String,
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

impl Moto {
    /// Starts moto on a free port.
    pub fn start() -> Moto {
        let installed = Command::new("moto_server")
            .arg("--help")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            installed,
            "moto_server is not installed: pip install 'moto[server]' (scripts/test does this)"
        );
        let port = free_port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Seeds `kind` (`ecs`, `lambda`, `s3`) and returns what the seed printed.
    pub fn seed(&self, kind: &str) -> Value {
        let mut child = Command::new("python3")
            .args(["-", kind])
            .env("MOTO_URL", &self.url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(SEED.as_bytes()).expect("write seed");
        drop(stdin);
        let out = child.wait_with_output().expect("seed");
        assert!(out.status.success(), "seeding {kind} failed");
        serde_json::from_slice(&out.stdout).expect("seed JSON")
    }

    /// The environment the CLI needs to talk to this moto.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        aws_env(&self.url)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Credentials, region and endpoint for an AWS fake at `url`.
pub fn aws_env(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", url.to_string()),
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
    ]
}

/// Answers every request with this status, content type and body; returns its URL.
pub fn answering(status: &str, content_type: &str, body: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(response.as_bytes());
        }
    });
    url
}
