//! `#[derive(FromXml, ToXml)]` for [soap-envelope]: the XML mapping of a
//! schema's complex type, as calls into soap-envelope's own reader, writer
//! and `fields` helpers, so that namespace matching, limits and errors
//! (kind, element path, byte offset) are those of the hand-written code.
//!
//! Use it through `soap_envelope::{FromXml, ToXml}` (the `derive`
//! feature, on by default). Like RustCrypto's `der_derive`, the attributes
//! mirror the schema:
//!
//! ```ignore
//! /// `Revision` complex type, [MS-XCEP] 3.1.4.1.3.24 (schema pasted here).
//! #[derive(FromXml, ToXml)]
//! #[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, name = "revision", nil = crate::codec::is_nil)]
//! pub struct Revision {
//!     #[xml(name = "majorRevision", with = fields::value)]
//!     pub major_revision: u32,
//!     #[xml(name = "minorRevision", nillable, with = fields::value)]
//!     pub minor_revision: Option<u32>,
//!     #[xml(unknown)]
//!     pub unknown: Vec<AnyElement>,
//! }
//! ```
//!
//! # Type attributes
//!
//! - `ns = EXPR`: the namespace URI (a `&'static str` constant; `""` for
//!   none). Required. It must not name `Self`.
//! - `name = "local"`: the element's local name. Required. `FromXml`
//!   also generates the associated `const NAME: QName` (with the type's
//!   visibility), so the name is given once.
//! - `nil = path::to::fn`: how a nillable child says nil,
//!   `fn(&XmlReader, &Start) -> Result<bool>`; default
//!   `soap_envelope::fields::xsi_nil` (`xsi:nil="true"`).
//! - `declare = EXPR` (repeatable): a namespace declared on the element
//!   when it is written (`ns::XSI` on a message root).
//! - `nillable`: the element itself is nillable; nil (see `nil`) reads as
//!   `Self::default()` (the type implements `Default`).
//! - `skip_unknown`: a child no field reads is skipped (without it, and
//!   without an `unknown` field, it is `UnexpectedElement`).
//! - `alt_ns = EXPR`: a second namespace URI read as the type's own (a
//!   published erratum, such as MS-MDE2's trailing slash): the element and
//!   the children in the type's namespace (not those given another `ns`)
//!   also match in it. Only the type's `ns` is written.
//! - `prefixes = EXPR`: the `soap_envelope::Prefixes` table `ToXml::prefixes`
//!   returns (the crate's own, such as `crate::PREFIXES`), so that the
//!   element written alone or as a SOAP Body gets its crate's prefixes.
//!
//! # Field attributes
//!
//! Every field is a child element unless said otherwise, named
//! `name = "local"` (default: the field name in lowerCamelCase) in
//! `ns = EXPR` (default: the type's namespace). Its occurrence follows the
//! field's type: `T` is required (`MissingElement` after the parent's end
//! tag, with the missing element's path), `Option<T>` optional, `Vec<T>`
//! repeated. A single-valued child given twice is `DuplicateElement` at
//! the second one. Children are read in any order and written in field
//! order.
//!
//! - `nillable` (on `Option<T>`): `xsi:nil` (see `nil`) or the codec's
//!   empty content is `None`, written as `xsi:nil="true"`;
//!   `nillable(omit)`: read the same, `None` left out on writing.
//! - `list(item = "local", item_ns = EXPR)` (on `Vec<T>` or
//!   `Option<Vec<T>>`): a wrapper element of repeated `item`s; another
//!   child is `UnexpectedElement`. Nillable, no items is `None` and `None`
//!   or an empty list is written as nil.
//! - `with = path::to::codec`: a module with `read`, `read_nillable`,
//!   `write`, `write_nillable` (and `write_content` for `text`) for the
//!   value's lexical form; see `soap_envelope::fields::value`. Default:
//!   `fields::string` for `String`, `fields::complex` (a derived type)
//!   otherwise. For a `list` it is the items' codec. A child whose type
//!   has its own hand-written `FromXml`/`ToXml` (a type with quirks) takes
//!   `with = fields::element`; `Box<T>` reads and writes as `T`.
//! - `first` (on `T` or `Option<T>`, with an `unknown` field): only the
//!   first such child fills the field; a repeat goes to `unknown` instead
//!   of being `DuplicateElement`.
//! - `text`: the element's text content (codec default
//!   `fields::value`); the type then has no child elements. With
//!   `nillable`, on `Option<T>`: the element itself is nillable (`None`
//!   when nil, its attributes still read), `None` written as
//!   `xsi:nil="true"`.
//! - `attribute` or `attribute(name = "local", ns = EXPR)`: an attribute
//!   (default namespace: none); `T` is required (`MissingAttribute`),
//!   `Option<T>` optional. `with = codec` gives its `read_attr` (`None`
//!   when absent) and `write_attr`; default `fields::value` (an
//!   `XsdType`), `fields::token` collapses whitespace.
//! - `from_start = path::to::fn`: a value computed from the start tag,
//!   `fn(&Start) -> T` (which namespace spelling was read, say); not
//!   written.
//! - `unknown` (on `Vec<AnyElement>`): the children no other field reads,
//!   kept as read and written last-in-place. Without it such a child is
//!   `UnexpectedElement`.
//!
//! [soap-envelope]: https://docs.rs/soap-envelope

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::{
    Data, DeriveInput, Expr, Fields, GenericArgument, Ident, LitStr, Path, PathArguments, Type,
    parse_macro_input, spanned::Spanned,
};

/// Reads the type from its element: implements `soap_envelope::FromXml`
/// and `soap_envelope::fields::ReadFields`. See the crate documentation
/// for the attributes.
#[proc_macro_derive(FromXml, attributes(xml))]
pub fn derive_from_xml(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    Model::parse(&input)
        .map_or_else(syn::Error::into_compile_error, |m| m.from_xml())
        .into()
}

/// Writes the type as its element: implements `soap_envelope::ToXml` and
/// `soap_envelope::fields::WriteFields`. See the crate documentation for
/// the attributes.
#[proc_macro_derive(ToXml, attributes(xml))]
pub fn derive_to_xml(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    Model::parse(&input)
        .map_or_else(syn::Error::into_compile_error, |m| m.to_xml())
        .into()
}

/// What a field maps to.
#[allow(clippy::large_enum_variant)]
enum Kind {
    /// A child element, `list` when it is a wrapper of `item`s.
    Element {
        name: String,
        ns: Expr,
        nillable: bool,
        /// `nillable(omit)`: `None` is left out on writing, not written as nil.
        omit_nil: bool,
        /// The items' name and namespace, and whether that is the type's.
        list: Option<(String, Expr, bool)>,
        /// A repeat goes to the `unknown` field instead of being an error.
        first: bool,
        /// In the type's namespace (no `ns` given): also matched in `alt_ns`.
        own_ns: bool,
    },
    /// Computed from the start tag by this function; not written.
    FromStart(Path),
    /// The element's text; `nillable`: the element itself (`Option<T>`).
    Text { nillable: bool },
    /// An attribute.
    Attribute { name: String, ns: Expr },
    /// The unknown children.
    Unknown,
}

/// The field's type: `T`, `Option<T>`, `Vec<T>`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    One,
    Option,
    Vec,
    OptionVec,
}

struct Field {
    ident: Ident,
    kind: Kind,
    shape: Shape,
    /// The codec module, given or default.
    codec: TokenStream2,
}

struct Model {
    ident: Ident,
    vis: syn::Visibility,
    generics: syn::Generics,
    ns: Expr,
    name: String,
    nil: TokenStream2,
    declare: Vec<Expr>,
    prefixes: Option<Expr>,
    /// `alt_ns`: a second spelling of the type's namespace, read only.
    alt_ns: Option<Expr>,
    /// `nillable`: a nil element reads as `Self::default()`.
    nillable: bool,
    /// `skip_unknown`: a child no field reads is skipped.
    skip_unknown: bool,
    fields: Vec<Field>,
}

/// `Some(T)` when `ty` is `Wrapper<T>` (the last path segment).
fn inner<'t>(ty: &'t Type, wrapper: &str) -> Option<&'t Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

fn is_string(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("String"))
}

/// `policy_oid_reference` → `policyOidReference`.
fn lower_camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper = false;
    for c in s.trim_start_matches("r#").chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn str_expr(s: &str) -> Expr {
    let lit = LitStr::new(s, Span::call_site());
    syn::parse_quote!(#lit)
}

impl Model {
    fn parse(input: &DeriveInput) -> syn::Result<Self> {
        let mut ns = None;
        let mut name = None;
        let mut nil = None;
        let mut declare = Vec::new();
        let mut prefixes = None;
        let mut alt_ns = None;
        let mut nillable = false;
        let mut skip_unknown = false;
        for attr in input.attrs.iter().filter(|a| a.path().is_ident("xml")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("ns") {
                    ns = Some(meta.value()?.parse::<Expr>()?);
                } else if meta.path.is_ident("name") {
                    name = Some(meta.value()?.parse::<LitStr>()?.value());
                } else if meta.path.is_ident("nil") {
                    nil = Some(meta.value()?.parse::<Path>()?);
                } else if meta.path.is_ident("declare") {
                    declare.push(meta.value()?.parse::<Expr>()?);
                } else if meta.path.is_ident("prefixes") {
                    prefixes = Some(meta.value()?.parse::<Expr>()?);
                } else if meta.path.is_ident("alt_ns") {
                    alt_ns = Some(meta.value()?.parse::<Expr>()?);
                } else if meta.path.is_ident("nillable") {
                    nillable = true;
                } else if meta.path.is_ident("skip_unknown") {
                    skip_unknown = true;
                } else {
                    return Err(meta.error(
                        "expected `ns`, `name`, `nil`, `declare`, `prefixes`, `alt_ns`, \
                         `nillable` or `skip_unknown`",
                    ));
                }
                Ok(())
            })?;
        }
        let span = input.ident.span();
        let ns = ns.ok_or_else(|| syn::Error::new(span, "missing #[xml(ns = ...)]"))?;
        let name = name.ok_or_else(|| syn::Error::new(span, "missing #[xml(name = \"...\")]"))?;
        let nil = nil.map_or_else(|| quote!(::soap_envelope::fields::xsi_nil), |p| quote!(#p));
        let Data::Struct(data) = &input.data else {
            return Err(syn::Error::new(span, "only structs derive FromXml/ToXml"));
        };
        let Fields::Named(named) = &data.fields else {
            return Err(syn::Error::new(span, "only structs with named fields"));
        };
        let mut fields = Vec::new();
        for f in &named.named {
            fields.push(Field::parse(f, &ns)?);
        }
        let texts = fields
            .iter()
            .filter(|f| matches!(f.kind, Kind::Text { .. }))
            .count();
        let elements = fields
            .iter()
            .filter(|f| matches!(f.kind, Kind::Element { .. } | Kind::Unknown))
            .count();
        if texts > 1 || (texts == 1 && elements > 0) {
            return Err(syn::Error::new(
                span,
                "a `text` field excludes other text and element fields",
            ));
        }
        if fields
            .iter()
            .filter(|f| matches!(f.kind, Kind::Unknown))
            .count()
            > 1
        {
            return Err(syn::Error::new(span, "at most one `unknown` field"));
        }
        if fields
            .iter()
            .any(|f| matches!(f.kind, Kind::Element { first: true, .. }))
            && !fields.iter().any(|f| matches!(f.kind, Kind::Unknown))
        {
            return Err(syn::Error::new(
                span,
                "a `first` field needs an `unknown` field",
            ));
        }
        Ok(Self {
            ident: input.ident.clone(),
            vis: input.vis.clone(),
            generics: input.generics.clone(),
            ns,
            name,
            nil,
            declare,
            prefixes,
            alt_ns,
            nillable,
            skip_unknown,
            fields,
        })
    }

    fn qname(&self) -> TokenStream2 {
        let ns = &self.ns;
        let name = &self.name;
        quote!(::soap_envelope::QName::new(#ns, #name))
    }

    /// The `const`s of the field names, in a function body.
    fn name_consts(&self) -> TokenStream2 {
        let mut out = TokenStream2::new();
        for f in &self.fields {
            let c = f.name_const();
            match &f.kind {
                Kind::Element { name, ns, list, .. } => {
                    out.extend(quote! {
                        const #c: ::soap_envelope::QName = ::soap_envelope::QName::new(#ns, #name);
                    });
                    if let Some((item, item_ns, _)) = list {
                        let ic = f.item_const();
                        out.extend(quote! {
                            const #ic: ::soap_envelope::QName = ::soap_envelope::QName::new(#item_ns, #item);
                        });
                    }
                }
                Kind::Attribute { name, ns } => out.extend(quote! {
                    const #c: ::soap_envelope::QName = ::soap_envelope::QName::new(#ns, #name);
                }),
                Kind::Text { .. } | Kind::Unknown | Kind::FromStart(_) => {}
            }
        }
        out
    }

    /// `child` is the field's element `c` (also in `alt_ns` where the
    /// field is in the type's namespace).
    fn child_is(&self, own_ns: bool, c: &Ident) -> TokenStream2 {
        match &self.alt_ns {
            Some(alt) if own_ns => quote!(::soap_envelope::fields::is_either(&child, #c, #alt)),
            _ => quote!(child.is(#c)),
        }
    }

    /// The `alt_ns` of a list's items, `None` when they have none.
    fn item_alt(&self, own_ns: bool) -> TokenStream2 {
        match &self.alt_ns {
            Some(alt) if own_ns => quote!(::core::option::Option::Some(#alt)),
            _ => quote!(::core::option::Option::None),
        }
    }

    #[allow(clippy::wrong_self_convention, clippy::too_many_lines)]
    fn from_xml(&self) -> TokenStream2 {
        let ident = &self.ident;
        let (_, ty_generics, where_clause) = self.generics.split_for_impl();
        let params = &self.generics.params;
        let qname = self.qname();
        let consts = self.name_consts();
        let nil = &self.nil;
        let sf = quote!(::soap_envelope::fields);

        let nil_self = self.nillable.then(|| {
            quote! {
                if #nil(r, start)? {
                    r.skip()?;
                    return Ok(<Self as ::core::default::Default>::default());
                }
            }
        });
        let mut decls = TokenStream2::new();
        let mut branches = Vec::new();
        let mut inits = Vec::new();
        let mut unknown = None;
        for f in &self.fields {
            let id = &f.ident;
            let var = format_ident!("__f_{}", id);
            let c = f.name_const();
            let codec = &f.codec;
            match &f.kind {
                Kind::Attribute { .. } => {
                    if f.shape == Shape::One {
                        decls.extend(quote! {
                            let #var = #sf::present_attr(r, #codec::read_attr(r, start, #c)?, #c)?;
                        });
                    } else {
                        decls.extend(quote!(let #var = #codec::read_attr(r, start, #c)?;));
                    }
                    inits.push(quote!(#id: #var));
                }
                Kind::Text { nillable } => {
                    if *nillable {
                        decls.extend(quote! {
                            let #var = if #nil(r, start)? {
                                r.skip()?;
                                None
                            } else {
                                Some(#codec::read(r, start)?)
                            };
                        });
                    } else {
                        decls.extend(quote!(let #var = #codec::read(r, start)?;));
                    }
                    inits.push(quote!(#id: #var));
                }
                Kind::FromStart(f) => {
                    decls.extend(quote!(let #var = #f(start);));
                    inits.push(quote!(#id: #var));
                }
                Kind::Unknown => {
                    decls.extend(quote!(let mut #var = ::std::vec::Vec::new();));
                    unknown = Some(var.clone());
                    inits.push(quote!(#id: #var));
                }
                Kind::Element {
                    nillable,
                    list,
                    first,
                    own_ns,
                    ..
                } => {
                    let is = self.child_is(*own_ns, &c);
                    let read_one = if let Some((_, _, item_own)) = list {
                        let ic = f.item_const();
                        let alt = self.item_alt(*item_own);
                        if *nillable {
                            quote!(#sf::nillable(r, &child, #nil, |r, _| {
                                #sf::nonempty_list_alt(r, #ic, #alt, |r, s| #codec::read(r, s))
                            }))
                        } else {
                            quote!(#sf::list_alt(r, #ic, #alt, |r, s| #codec::read(r, s)))
                        }
                    } else if *nillable {
                        quote!(#sf::nillable(r, &child, #nil, |r, s| #codec::read_nillable(r, s)))
                    } else {
                        quote!(#codec::read(r, &child))
                    };
                    if *nillable {
                        let seen = format_ident!("__seen_{}", id);
                        decls.extend(quote!(let (mut #var, mut #seen) = (None, false);));
                        branches.push(quote! {
                            if #is {
                                #sf::once_nillable(r, &mut #var, &mut #seen, #c, |r| #read_one)?;
                            }
                        });
                        inits.push(quote!(#id: #var));
                    } else if f.shape == Shape::Vec && list.is_none() {
                        decls.extend(quote!(let mut #var = ::std::vec::Vec::new();));
                        branches.push(quote! {
                            if #is {
                                #var.push(#read_one?);
                            }
                        });
                        inits.push(quote!(#id: #var));
                    } else if *first {
                        decls.extend(quote!(let mut #var = None;));
                        branches.push(quote! {
                            if #is && #var.is_none() {
                                #var = Some(#read_one?);
                            }
                        });
                        if f.shape == Shape::One {
                            inits.push(quote!(#id: #sf::required(r, #var, #c)?));
                        } else {
                            inits.push(quote!(#id: #var));
                        }
                    } else {
                        decls.extend(quote!(let mut #var = None;));
                        branches.push(quote! {
                            if #is {
                                #sf::once(r, &mut #var, #c, |r| #read_one)?;
                            }
                        });
                        let required =
                            f.shape == Shape::One || (f.shape == Shape::Vec && list.is_some());
                        if required {
                            inits.push(quote!(#id: #sf::required(r, #var, #c)?));
                        } else {
                            inits.push(quote!(#id: #var));
                        }
                    }
                }
            }
        }
        let has_children = !branches.is_empty() || unknown.is_some();
        let has_text = self
            .fields
            .iter()
            .any(|f| matches!(f.kind, Kind::Text { .. }));
        let fallback = if let Some(var) = &unknown {
            quote!({ #var.push(r.any(&child)?); })
        } else if self.skip_unknown {
            quote!({
                r.skip()?;
            })
        } else {
            quote!({
                return Err(r.error(::soap_envelope::ErrorKind::UnexpectedElement {
                    found: child.name(),
                    expected: None,
                }));
            })
        };
        let body_loop = if has_children {
            quote! {
                while let Some(child) = children.next(r)? {
                    #(#branches else)* #fallback
                }
            }
        } else if has_text {
            quote!(let _ = children;)
        } else {
            // Attributes only: a child element is unexpected.
            quote! {
                while let Some(child) = children.next(r)? {
                    #fallback
                }
            }
        };
        let (impl_generics, _, _) = self.generics.split_for_impl();
        let vis = &self.vis;
        let name_doc = format!("The element name, `{}`.", self.name);
        let matches = self.alt_ns.as_ref().map_or_else(
            || quote!(start.is(Self::NAME)),
            |alt| quote!(::soap_envelope::fields::is_either(start, Self::NAME, #alt)),
        );
        quote! {
            impl #impl_generics #ident #ty_generics #where_clause {
                #[doc = #name_doc]
                #vis const NAME: ::soap_envelope::QName = #qname;
            }

            #[automatically_derived]
            impl<'__xml, #params> ::soap_envelope::fields::ReadFields<'__xml> for #ident #ty_generics #where_clause {
                const SIMPLE_CONTENT: bool = #has_text;

                #[allow(unused_variables, unused_mut, clippy::too_many_lines)]
                fn read_fields(
                    r: &mut ::soap_envelope::XmlReader<'__xml>,
                    start: &::soap_envelope::Start<'__xml>,
                    mut children: ::soap_envelope::fields::Children<'__xml>,
                ) -> ::soap_envelope::Result<Self> {
                    #consts
                    #decls
                    #body_loop
                    Ok(Self { #(#inits,)* })
                }
            }

            #[automatically_derived]
            impl<'__xml, #params> ::soap_envelope::FromXml<'__xml> for #ident #ty_generics #where_clause {
                fn matches(start: &::soap_envelope::Start<'_>) -> bool {
                    #matches
                }

                fn read(
                    r: &mut ::soap_envelope::XmlReader<'__xml>,
                    start: &::soap_envelope::Start<'__xml>,
                ) -> ::soap_envelope::Result<Self> {
                    #nil_self
                    <Self as ::soap_envelope::fields::ReadFields<'__xml>>::read_fields(
                        r,
                        start,
                        ::soap_envelope::fields::Children::new(),
                    )
                }
            }
        }
    }

    #[allow(clippy::wrong_self_convention, clippy::too_many_lines)]
    fn to_xml(&self) -> TokenStream2 {
        let ident = &self.ident;
        let (impl_generics, ty_generics, where_clause) = self.generics.split_for_impl();
        let qname = self.qname();
        let consts = self.name_consts();
        let declare = &self.declare;
        let prefixes_fn = self.prefixes.as_ref().map(|p| {
            quote! {
                fn prefixes(&self) -> ::soap_envelope::Prefixes {
                    #p
                }
            }
        });
        let sf = quote!(::soap_envelope::fields);
        let mut attrs = TokenStream2::new();
        let mut body = TokenStream2::new();
        for f in &self.fields {
            let id = &f.ident;
            let c = f.name_const();
            let codec = &f.codec;
            match &f.kind {
                Kind::Attribute { .. } => attrs.extend(if f.shape == Shape::One {
                    quote!(#codec::write_attr(w, #c, &self.#id)?;)
                } else {
                    quote! {
                        if let Some(v) = &self.#id {
                            #codec::write_attr(w, #c, v)?;
                        }
                    }
                }),
                Kind::Text { nillable: false } => {
                    body.extend(quote!(#codec::write_content(w, &self.#id)?;));
                }
                Kind::Text { nillable: true } => body.extend(quote! {
                    match &self.#id {
                        Some(v) => #codec::write_content(w, v)?,
                        None => #sf::write_nil_attr(w)?,
                    }
                }),
                Kind::Unknown => body.extend(quote!(#sf::write_all(w, &self.#id)?;)),
                Kind::FromStart(_) => {}
                Kind::Element {
                    nillable,
                    omit_nil,
                    list,
                    ..
                } => {
                    // `nillable(omit)` writes as a plain optional element.
                    let nillable = *nillable && !*omit_nil;
                    body.extend(match (list, nillable, f.shape) {
                        (Some(_), true, _) => {
                            let ic = f.item_const();
                            quote! {
                                #sf::write_nillable_list(w, #c, self.#id.as_ref(), |w, v| #codec::write(w, #ic, v))?;
                            }
                        }
                        (Some(_), false, Shape::OptionVec) => {
                            let ic = f.item_const();
                            quote! {
                                if let Some(items) = &self.#id {
                                    #sf::write_list(w, #c, items, |w, v| #codec::write(w, #ic, v))?;
                                }
                            }
                        }
                        (Some(_), false, _) => {
                            let ic = f.item_const();
                            quote! {
                                #sf::write_list(w, #c, &self.#id, |w, v| #codec::write(w, #ic, v))?;
                            }
                        }
                        (None, true, _) => {
                            quote!(#codec::write_nillable(w, #c, self.#id.as_ref())?;)
                        }
                        (None, false, Shape::One) => quote!(#codec::write(w, #c, &self.#id)?;),
                        (None, false, Shape::Option) => quote! {
                            if let Some(v) = &self.#id {
                                #codec::write(w, #c, v)?;
                            }
                        },
                        (None, false, _) => quote! {
                            for v in &self.#id {
                                #codec::write(w, #c, v)?;
                            }
                        },
                    });
                }
            }
        }
        quote! {
            #[automatically_derived]
            impl #impl_generics ::soap_envelope::fields::WriteFields for #ident #ty_generics #where_clause {
                #[allow(clippy::too_many_lines)]
                fn write_fields(&self, w: &mut ::soap_envelope::XmlWriter) -> ::soap_envelope::Result<()> {
                    #consts
                    #attrs
                    #body
                    Ok(())
                }
            }

            #[automatically_derived]
            impl #impl_generics ::soap_envelope::ToXml for #ident #ty_generics #where_clause {
                fn write(&self, w: &mut ::soap_envelope::XmlWriter) -> ::soap_envelope::Result<()> {
                    w.start(#qname)?;
                    #( w.declare_ns(#declare)?; )*
                    ::soap_envelope::fields::WriteFields::write_fields(self, w)?;
                    w.end()
                }
                #prefixes_fn
            }
        }
    }
}

impl Field {
    fn name_const(&self) -> Ident {
        format_ident!("__N_{}", self.ident.to_string().to_uppercase())
    }

    fn item_const(&self) -> Ident {
        format_ident!("__ITEM_{}", self.ident.to_string().to_uppercase())
    }

    #[allow(clippy::too_many_lines)]
    fn parse(f: &syn::Field, type_ns: &Expr) -> syn::Result<Self> {
        let ident = f.ident.clone().expect("named field");
        let span = f.span();
        let mut name = None;
        let mut ns = None;
        let mut nillable = false;
        let mut omit_nil = false;
        let mut list = None;
        let mut with = None;
        let mut text = false;
        let mut attribute = false;
        let mut unknown = false;
        let mut first = false;
        let mut from_start = None;
        for attr in f.attrs.iter().filter(|a| a.path().is_ident("xml")) {
            attr.parse_nested_meta(|meta| {
                let p = &meta.path;
                if p.is_ident("name") {
                    name = Some(meta.value()?.parse::<LitStr>()?.value());
                } else if p.is_ident("ns") {
                    ns = Some(meta.value()?.parse::<Expr>()?);
                } else if p.is_ident("nillable") {
                    nillable = true;
                    if meta.input.peek(syn::token::Paren) {
                        meta.parse_nested_meta(|m| {
                            if m.path.is_ident("omit") {
                                omit_nil = true;
                                Ok(())
                            } else {
                                Err(m.error("expected `omit`"))
                            }
                        })?;
                    }
                } else if p.is_ident("with") {
                    with = Some(meta.value()?.parse::<Path>()?);
                } else if p.is_ident("text") {
                    text = true;
                } else if p.is_ident("unknown") {
                    unknown = true;
                } else if p.is_ident("first") {
                    first = true;
                } else if p.is_ident("from_start") {
                    from_start = Some(meta.value()?.parse::<Path>()?);
                } else if p.is_ident("attribute") {
                    attribute = true;
                    if meta.input.peek(syn::token::Paren) {
                        meta.parse_nested_meta(|m| {
                            if m.path.is_ident("name") {
                                name = Some(m.value()?.parse::<LitStr>()?.value());
                            } else if m.path.is_ident("ns") {
                                ns = Some(m.value()?.parse::<Expr>()?);
                            } else {
                                return Err(m.error("expected `name` or `ns`"));
                            }
                            Ok(())
                        })?;
                    }
                } else if p.is_ident("list") {
                    let mut item = None;
                    let mut item_ns = None;
                    meta.parse_nested_meta(|m| {
                        if m.path.is_ident("item") {
                            item = Some(m.value()?.parse::<LitStr>()?.value());
                        } else if m.path.is_ident("item_ns") {
                            item_ns = Some(m.value()?.parse::<Expr>()?);
                        } else {
                            return Err(m.error("expected `item` or `item_ns`"));
                        }
                        Ok(())
                    })?;
                    let item = item.ok_or_else(|| meta.error("missing `item = \"...\"`"))?;
                    list = Some((item, item_ns));
                } else {
                    return Err(meta.error("unknown xml field attribute"));
                }
                Ok(())
            })?;
        }
        let ty = &f.ty;
        let (shape, value_ty) = if let Some(t) = inner(ty, "Option") {
            match inner(t, "Vec") {
                Some(v) if list.is_some() => (Shape::OptionVec, v),
                _ => (Shape::Option, t),
            }
        } else if let Some(t) = inner(ty, "Vec") {
            (Shape::Vec, t)
        } else {
            (Shape::One, ty)
        };
        let err = |msg: &str| Err(syn::Error::new(span, msg));
        let kinds = usize::from(text)
            + usize::from(attribute)
            + usize::from(unknown)
            + usize::from(from_start.is_some());
        if kinds > 1 || (kinds == 1 && (list.is_some() || first || (nillable && !text))) {
            return err(
                "`text`, `attribute`, `unknown`, `from_start` exclude each other, `list` and \
                 `first`; only `text` takes `nillable`",
            );
        }
        if omit_nil && (text || list.is_some()) {
            return err("`nillable(omit)` goes on a plain optional element");
        }
        if first && (nillable || list.is_some() || shape == Shape::Vec) {
            return err("`first` goes on a plain single-valued element (`T` or `Option<T>`)");
        }
        let default_codec = if text || attribute {
            quote!(::soap_envelope::fields::value)
        } else if is_string(value_ty) {
            quote!(::soap_envelope::fields::string)
        } else {
            quote!(::soap_envelope::fields::complex)
        };
        let codec = with.map_or(default_codec, |p| quote!(#p));
        let kind = if let Some(f) = from_start {
            Kind::FromStart(f)
        } else if unknown {
            if shape != Shape::Vec {
                return err("`unknown` goes on a `Vec<AnyElement>`");
            }
            Kind::Unknown
        } else if text {
            if nillable && shape != Shape::Option {
                return err("a `nillable` `text` is an `Option<T>`");
            }
            if !nillable && shape != Shape::One {
                return err("`text` goes on a plain field (`nillable` for an `Option<T>`)");
            }
            Kind::Text { nillable }
        } else if attribute {
            if !matches!(shape, Shape::One | Shape::Option) {
                return err("an `attribute` is `T` or `Option<T>`");
            }
            Kind::Attribute {
                name: name.unwrap_or_else(|| lower_camel(&ident.to_string())),
                ns: ns.unwrap_or_else(|| str_expr("")),
            }
        } else {
            if nillable && !matches!(shape, Shape::Option | Shape::OptionVec) {
                return err("a `nillable` field is an `Option`");
            }
            if list.is_some() && !matches!(shape, Shape::Vec | Shape::OptionVec) {
                return err("a `list` is a `Vec<T>` or `Option<Vec<T>>`");
            }
            let own_ns = ns.is_none();
            let ns = ns.unwrap_or_else(|| type_ns.clone());
            Kind::Element {
                own_ns,
                name: name.unwrap_or_else(|| lower_camel(&ident.to_string())),
                list: list.map(|(item, item_ns): (String, Option<Expr>)| {
                    let item_own = own_ns && item_ns.is_none();
                    (item, item_ns.unwrap_or_else(|| ns.clone()), item_own)
                }),
                ns,
                nillable,
                omit_nil,
                first,
            }
        };
        Ok(Self {
            ident,
            kind,
            shape,
            codec,
        })
    }
}
