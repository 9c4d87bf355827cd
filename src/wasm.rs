//! The page's face on the engine: a `Workspace` holding the edited files,
//! with serde values in and out. No logic of its own beyond shaping results
//! for JavaScript. Nothing here may panic on input from the page.

use crate::env::{environments, Environment};
use crate::{BuildOptions, Error, MemFs};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// An engine error as the page shows it: `file:line:column: message`.
/// `file`, `line` and `column` are `null` where the engine knows no place.
#[derive(Serialize)]
struct ErrorInfo {
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    message: String,
}

impl From<&Error> for ErrorInfo {
    fn from(e: &Error) -> ErrorInfo {
        let span = e.span.as_ref();
        let position = span.filter(|s| s.has_position());
        ErrorInfo {
            file: span.map(|s| s.file.to_string()),
            line: position.map(|s| s.line),
            column: position.map(|s| s.col),
            message: e.message.clone(),
        }
    }
}

/// `{ok: true, output}` or `{ok: false, errors: [...]}`, optionally with the
/// environment it belongs to.
#[derive(Serialize)]
struct Rendered {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    environment: Option<Environment>,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ErrorInfo>,
}

impl Rendered {
    fn new(environment: Option<Environment>, result: crate::Result<String>) -> Rendered {
        match result {
            Ok(output) => Rendered { environment, ok: true, output: Some(output), errors: Vec::new() },
            Err(e) => Rendered { environment, ok: false, output: None, errors: vec![ErrorInfo::from(&e)] },
        }
    }
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    // json_compatible: `None` becomes `null` and maps become plain objects.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).unwrap_or_else(|e| JsValue::from_str(&format!("serialisation failed: {e}")))
}

#[wasm_bindgen]
pub struct Workspace {
    fs: MemFs,
    options: BuildOptions,
}

#[wasm_bindgen]
impl Workspace {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Workspace {
        console_error_panic_hook::set_once();
        Workspace { fs: MemFs::new(), options: BuildOptions::default() }
    }

    /// Adds or replaces a file; `path` may be relative to the root
    /// (`apps/base/x.yaml`) or absolute.
    #[wasm_bindgen(js_name = setFile)]
    pub fn set_file(&mut self, path: &str, text: &str) {
        self.fs.insert(path, text);
    }

    /// Removes a file; returns whether there was one.
    #[wasm_bindgen(js_name = removeFile)]
    pub fn remove_file(&mut self, path: &str) -> bool {
        self.fs.remove(path)
    }

    /// The normalised paths of all files, sorted: `["/apps/base/…", …]`.
    pub fn files(&self) -> Vec<String> {
        self.fs.paths().map(str::to_string).collect()
    }

    /// `[{path, name, group}]`, in the order the page shows them.
    pub fn environments(&self) -> JsValue {
        to_js(&environments(&self.fs))
    }

    /// Builds the kustomization in `dir`:
    /// `{ok: true, output}` or `{ok: false, errors: [{file, line, column, message}]}`.
    pub fn render(&self, dir: &str) -> JsValue {
        let dir = crate::fs::normalize(dir);
        to_js(&Rendered::new(None, crate::render(&self.fs, &dir, &self.options)))
    }

    /// Builds every environment:
    /// `[{path, name, group, ok, output | errors}]`.
    #[wasm_bindgen(js_name = renderAll)]
    pub fn render_all(&self) -> JsValue {
        let all: Vec<Rendered> = environments(&self.fs)
            .into_iter()
            .map(|env| {
                let result = crate::render(&self.fs, &env.path, &self.options);
                Rendered::new(Some(env), result)
            })
            .collect();
        to_js(&all)
    }
}
