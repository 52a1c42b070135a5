//! Open documents, the projects they belong to, and each project's analysis.
//!
//! A document belongs to the project of the nearest `segql.toml` above it (the CLI's
//! rule, [`segql_project::find_root`]); its files are the ones `paths` names
//! ([`segql_project::project_files`]), read from disk unless open in the editor, where
//! the editor's text wins. An open file under the project's directory that `paths` does
//! not name is checked with the project too (a file about to be added). A file with no
//! `segql.toml` above it, or one that is not on disk (an untitled buffer), is a project
//! of its own.
//!
//! An analysis parses every file (reusing the parse of a file whose text did not
//! change) and, when every file parses, checks them together with
//! [`segql_plan::check`]: the diagnostics are those of `segql check`. The index for
//! navigation is built on first use.

use crate::index::Index;
use crate::lines::LineIndex;
use lsp_types::Uri;
use segql_plan::ir::Program;
use segql_syntax::{Diagnostic, FileId, Parsed, SourceMap};
use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::str::FromStr;

/// A document: a file path, or the URI of something that is not a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKey {
    Path(PathBuf),
    Uri(String),
}

impl DocKey {
    /// The document a URI names: a file URI is its path (resolved through symbolic
    /// links when the file exists, as the project's listing is).
    pub fn from_uri(uri: &Uri) -> DocKey {
        let s = uri.as_str();
        match url::Url::parse(s) {
            Ok(u) if u.scheme() == "file" => match u.to_file_path() {
                Ok(p) => DocKey::Path(std::fs::canonicalize(&p).unwrap_or(p)),
                Err(()) => DocKey::Uri(s.to_string()),
            },
            _ => DocKey::Uri(s.to_string()),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            DocKey::Path(p) => Some(p),
            DocKey::Uri(_) => None,
        }
    }
}

/// The URI of a file path.
pub fn path_uri(p: &Path) -> Option<Uri> {
    let u = url::Url::from_file_path(p).ok()?;
    Uri::from_str(u.as_str()).ok()
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProjectKey {
    /// The directory holding segql.toml.
    Root(PathBuf),
    /// A document checked alone.
    Loose(DocKey),
}

/// A document open in the editor.
pub struct Document {
    pub uri: Uri,
    pub text: String,
}

/// One file of an analysis.
pub struct SourceFile {
    pub key: DocKey,
    pub uri: Option<Uri>,
    pub id: FileId,
    pub text: String,
    pub lines: LineIndex,
    pub parsed: Parsed,
}

/// segql.toml, when the project has one.
pub struct ConfigFile {
    pub path: PathBuf,
    pub uri: Option<Uri>,
    pub text: String,
    pub lines: LineIndex,
}

/// The files of a project, parsed and checked.
pub struct Analysis {
    /// By id; ids start at 1 (0 is segql.toml's).
    pub files: BTreeMap<FileId, Rc<SourceFile>>,
    pub config: Option<ConfigFile>,
    /// segql.toml's problems, then the files': syntax, then names and types.
    pub diags: Vec<Diagnostic>,
    /// The checked program, when every file parses.
    pub program: Option<Program>,
    pub syntax_errors: bool,
    index: OnceCell<Index>,
}

impl Analysis {
    pub fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let files: Vec<(FileId, &segql_syntax::ast::File)> = self
                .files
                .values()
                .map(|f| (f.id, &f.parsed.file))
                .collect();
            Index::build(&files)
        })
    }

    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(&id).map(|f| &**f)
    }

    pub fn file_of(&self, key: &DocKey) -> Option<&SourceFile> {
        self.files.values().find(|f| &f.key == key).map(|f| &**f)
    }
}

/// What the project's directory and segql.toml say; read again when files appear or
/// disappear, or segql.toml changes.
struct Listing {
    config: Option<ConfigFile>,
    config_diags: Vec<Diagnostic>,
    files: Vec<PathBuf>,
}

pub struct Project {
    pub key: ProjectKey,
    listing: Option<Listing>,
    /// Texts read from disk (raw bytes), dropped when the file changes.
    disk: HashMap<PathBuf, Vec<u8>>,
    /// Stable file ids.
    ids: HashMap<DocKey, FileId>,
    /// The last analysis; `None` once something changed.
    analysis: Option<Rc<Analysis>>,
    /// Parses of the last analysis, by file, reused when the text is the same.
    parsed: HashMap<DocKey, Rc<SourceFile>>,
    /// Files diagnostics were published for, to clear them when they are fixed.
    pub published: Vec<Uri>,
}

impl Project {
    fn new(key: ProjectKey) -> Project {
        Project {
            key,
            listing: None,
            disk: HashMap::new(),
            ids: HashMap::new(),
            analysis: None,
            parsed: HashMap::new(),
            published: Vec::new(),
        }
    }

    pub fn root(&self) -> Option<&Path> {
        match &self.key {
            ProjectKey::Root(r) => Some(r),
            ProjectKey::Loose(_) => None,
        }
    }

    fn id(&mut self, key: &DocKey) -> FileId {
        let next = FileId(self.ids.len() as u32 + 1);
        *self.ids.entry(key.clone()).or_insert(next)
    }

    fn list(&mut self) -> &Listing {
        if self.listing.is_none() {
            self.listing = Some(match &self.key {
                ProjectKey::Root(root) => list_root(root),
                ProjectKey::Loose(_) => Listing {
                    config: None,
                    config_diags: Vec::new(),
                    files: Vec::new(),
                },
            });
        }
        self.listing.as_ref().expect("just set")
    }

    /// Forget what was read from disk about `path` (or everything).
    pub fn changed_on_disk(&mut self, path: Option<&Path>, listing_too: bool) {
        match path {
            Some(p) => {
                self.disk.remove(p);
            }
            None => self.disk.clear(),
        }
        if listing_too {
            self.listing = None;
        }
        self.analysis = None;
    }

    pub fn dirty(&mut self) {
        self.analysis = None;
    }

    /// The analysis, made again if something changed.
    pub fn analysis(&mut self, docs: &BTreeMap<DocKey, Document>) -> Rc<Analysis> {
        if let Some(a) = &self.analysis {
            return a.clone();
        }
        let a = Rc::new(self.analyse(docs));
        self.analysis = Some(a.clone());
        a
    }

    fn analyse(&mut self, docs: &BTreeMap<DocKey, Document>) -> Analysis {
        let listing = self.list();
        let mut keys: Vec<DocKey> = listing.files.iter().cloned().map(DocKey::Path).collect();
        let config_diags = listing.config_diags.clone();
        let config = listing.config.as_ref().map(|c| ConfigFile {
            path: c.path.clone(),
            uri: c.uri.clone(),
            text: c.text.clone(),
            lines: c.lines.clone(),
        });
        // Open files under the root that `paths` does not name, and a loose document.
        for key in docs.keys() {
            if !keys.contains(key) && self.owns(key) {
                keys.push(key.clone());
            }
        }
        let mut files = BTreeMap::new();
        let mut diags = config_diags;
        for key in keys {
            let id = self.id(&key);
            let (text, bytes) = match docs.get(&key) {
                Some(d) => (d.text.clone(), None),
                None => {
                    let Some(path) = key.path() else { continue };
                    let bytes = match self.disk.get(path) {
                        Some(b) => b.clone(),
                        None => match std::fs::read(path) {
                            Ok(b) => {
                                self.disk.insert(path.to_path_buf(), b.clone());
                                b
                            }
                            // Gone since it was listed: the next listing drops it.
                            Err(_) => continue,
                        },
                    };
                    (String::from_utf8_lossy(&bytes).into_owned(), Some(bytes))
                }
            };
            let uri = match (&key, docs.get(&key)) {
                (_, Some(d)) => Some(d.uri.clone()),
                (DocKey::Path(p), None) => path_uri(p),
                (DocKey::Uri(u), None) => Uri::from_str(u).ok(),
            };
            let reuse = self
                .parsed
                .get(&key)
                .filter(|f| f.text == text && f.id == id && f.uri == uri)
                .cloned();
            let file = match reuse {
                Some(f) => f,
                None => {
                    let parsed = match &bytes {
                        Some(b) => segql_syntax::parse_bytes(b, id),
                        None => segql_syntax::parse(&text, id),
                    };
                    Rc::new(SourceFile {
                        key: key.clone(),
                        uri,
                        id,
                        lines: LineIndex::new(&text),
                        text,
                        parsed,
                    })
                }
            };
            diags.extend(file.parsed.diags.iter().cloned());
            files.insert(id, file);
        }
        self.parsed = files
            .values()
            .map(|f: &Rc<SourceFile>| (f.key.clone(), f.clone()))
            .collect();
        let syntax_errors = diags.iter().any(Diagnostic::is_error);
        let mut program = None;
        if !syntax_errors {
            let asts: Vec<&segql_syntax::ast::File> =
                files.values().map(|f| &f.parsed.file).collect();
            let (p, check_diags) = segql_plan::check(&asts);
            diags.extend(check_diags);
            program = Some(p);
        }
        diags.sort_by_key(|d| (d.span.file, d.span.start));
        Analysis {
            files,
            config,
            diags,
            program,
            syntax_errors,
            index: OnceCell::new(),
        }
    }

    /// Whether an open document belongs here (besides the files `paths` names).
    fn owns(&self, key: &DocKey) -> bool {
        match &self.key {
            ProjectKey::Loose(k) => k == key,
            ProjectKey::Root(root) => key.path().is_some_and(|p| {
                is_seg(p) && segql_project::find_root(p).as_deref() == Some(root.as_path())
            }),
        }
    }
}

fn is_seg(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "seg")
}

fn list_root(root: &Path) -> Listing {
    let mut map = SourceMap::new();
    let path = root.join(segql_project::CONFIG_FILE);
    let read = segql_project::read_config(root, &mut map);
    let (config_id, config) = match read {
        Ok((id, Ok(c))) => (Some(id), Some(c)),
        Ok((_, Err(d))) => {
            return Listing {
                config: config_file(&path, &map),
                config_diags: vec![d],
                files: Vec::new(),
            }
        }
        Err(_) => (None, None),
    };
    let (files, mut diags) = match (config_id, &config) {
        (Some(id), Some(c)) => segql_project::project_files(root, c, id).unwrap_or_default(),
        _ => (Vec::new(), Vec::new()),
    };
    // `[targets]` mistakes, as `segql check` reports them.
    if let Some(id) = config_id {
        diags.extend(segql_target::config::diagnostics(&map.get(id).text, id));
    }
    Listing {
        config: config_file(&path, &map),
        config_diags: diags,
        files: files
            .into_iter()
            .map(|f| std::fs::canonicalize(&f).unwrap_or(f))
            .collect(),
    }
}

fn config_file(path: &Path, map: &SourceMap) -> Option<ConfigFile> {
    let (_, f) = map.files().next()?;
    Some(ConfigFile {
        path: path.to_path_buf(),
        uri: path_uri(path),
        text: f.text.clone(),
        lines: LineIndex::new(&f.text),
    })
}

/// The open documents and the projects they belong to.
#[derive(Default)]
pub struct Workspace {
    pub docs: BTreeMap<DocKey, Document>,
    pub projects: HashMap<ProjectKey, Project>,
}

impl Workspace {
    /// The project a document belongs to (created on first use).
    pub fn project_key(&mut self, key: &DocKey) -> ProjectKey {
        let pk = match key.path().and_then(segql_project::find_root) {
            Some(root) => ProjectKey::Root(std::fs::canonicalize(&root).unwrap_or(root)),
            None => ProjectKey::Loose(key.clone()),
        };
        self.projects
            .entry(pk.clone())
            .or_insert_with(|| Project::new(pk.clone()));
        pk
    }

    pub fn open(&mut self, uri: Uri, text: String) -> ProjectKey {
        let key = DocKey::from_uri(&uri);
        self.docs.insert(key.clone(), Document { uri, text });
        let pk = self.project_key(&key);
        self.mark_dirty(&key);
        pk
    }

    /// Replaces an open document's text.
    pub fn change(&mut self, uri: &Uri, text: String) -> Option<ProjectKey> {
        let key = DocKey::from_uri(uri);
        let doc = self.docs.get_mut(&key)?;
        doc.text = text;
        self.mark_dirty(&key);
        Some(self.project_key(&key))
    }

    pub fn close(&mut self, uri: &Uri) -> Option<ProjectKey> {
        let key = DocKey::from_uri(uri);
        self.docs.remove(&key)?;
        self.mark_dirty(&key);
        Some(self.project_key(&key))
    }

    /// Marks every project that may read `key` as changed.
    fn mark_dirty(&mut self, key: &DocKey) {
        for p in self.projects.values_mut() {
            let mine = match (&p.key, key.path()) {
                (ProjectKey::Loose(k), _) => k == key,
                (ProjectKey::Root(r), Some(path)) => path.starts_with(r),
                (ProjectKey::Root(_), None) => false,
            };
            if mine {
                p.dirty();
            }
        }
    }

    /// A file changed, appeared or disappeared on disk. Returns the projects affected.
    pub fn disk_changed(&mut self, path: &Path, created_or_deleted: bool) -> Vec<ProjectKey> {
        let is_config = path
            .file_name()
            .is_some_and(|n| n == segql_project::CONFIG_FILE);
        let mut out = Vec::new();
        for p in self.projects.values_mut() {
            let under = match &p.key {
                ProjectKey::Root(r) => path.starts_with(r),
                ProjectKey::Loose(k) => k.path() == Some(path),
            };
            // A new segql.toml above a loose file or a project takes it over.
            if under || is_config {
                p.changed_on_disk(Some(path), created_or_deleted || is_config);
                out.push(p.key.clone());
            }
        }
        if is_config && created_or_deleted {
            // Documents may now belong elsewhere: find their projects again.
            let keys: Vec<DocKey> = self.docs.keys().cloned().collect();
            for k in keys {
                let pk = self.project_key(&k);
                if !out.contains(&pk) {
                    out.push(pk);
                }
            }
        }
        out
    }

    pub fn analysis(&mut self, pk: &ProjectKey) -> Option<Rc<Analysis>> {
        let docs = &self.docs;
        let p = self.projects.get_mut(pk)?;
        Some(p.analysis(docs))
    }

    /// The analysis of the project a document belongs to, with the document's file.
    pub fn analysis_for(&mut self, uri: &Uri) -> Option<(Rc<Analysis>, FileId)> {
        let key = DocKey::from_uri(uri);
        let pk = self.project_key(&key);
        let a = self.analysis(&pk)?;
        let id = a.file_of(&key)?.id;
        Some((a, id))
    }
}
