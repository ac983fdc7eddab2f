//! What a verification asks for: the time, the name, the purpose, the profile and the limits.
//! A `Policy` is plain data; the core reads no clock.

use const_oid::ObjectIdentifier;

use crate::name::ServerName;

/// Well-known extendedKeyUsage OIDs.
pub mod eku {
    use const_oid::ObjectIdentifier;
    /// id-kp-serverAuth.
    pub const SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
    /// id-kp-clientAuth.
    pub const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
    /// id-kp-codeSigning.
    pub const CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
    /// id-kp-emailProtection.
    pub const EMAIL_PROTECTION: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
    /// id-kp-timeStamping.
    pub const TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
    /// id-kp-OCSPSigning.
    pub const OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
    /// anyExtendedKeyUsage.
    pub const ANY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");

    /// The OID for a name used on the command line (`server-auth`, ..., `any`) or a dotted OID.
    pub fn parse(name: &str) -> Option<ObjectIdentifier> {
        Some(match name {
            "server-auth" | "serverAuth" => SERVER_AUTH,
            "client-auth" | "clientAuth" => CLIENT_AUTH,
            "code-signing" | "codeSigning" => CODE_SIGNING,
            "email-protection" | "emailProtection" => EMAIL_PROTECTION,
            "time-stamping" | "timeStamping" => TIME_STAMPING,
            "ocsp-signing" | "OCSPSigning" => OCSP_SIGNING,
            "any" | "anyExtendedKeyUsage" => ANY,
            other => return ObjectIdentifier::new(other).ok(),
        })
    }
}

/// What the leaf is being verified for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Purpose {
    /// A TLS server certificate (extendedKeyUsage serverAuth). The default.
    #[default]
    ServerAuth,
    /// A TLS client certificate (extendedKeyUsage clientAuth).
    ClientAuth,
    /// No extendedKeyUsage requirement.
    Any,
}

impl Purpose {
    /// The EKU this purpose requires, if any.
    pub fn eku(self) -> Option<ObjectIdentifier> {
        match self {
            Purpose::ServerAuth => Some(eku::SERVER_AUTH),
            Purpose::ClientAuth => Some(eku::CLIENT_AUTH),
            Purpose::Any => None,
        }
    }
}

/// Which rule set certificates are judged by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Profile {
    /// The CA/Browser Forum rules a public TLS client applies (the default).
    #[default]
    WebPki,
    /// Plain RFC 5280, for private PKIs.
    Rfc5280,
}

/// Bounds on the work one verification may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Signature verifications per call (cached results do not count).
    pub max_signature_checks: u32,
    /// Path-building steps (candidate issuers considered) per call.
    pub max_path_steps: u32,
    /// Intermediates allowed between the leaf and the trust anchor.
    pub max_intermediates: usize,
    /// Certificates accepted in the presented chain (leaf included).
    pub max_chain_certificates: usize,
    /// Name-versus-constraint comparisons per path.
    pub max_name_constraint_checks: u32,
    /// Candidate issuers (trust anchors and presented certificates whose subject is the
    /// certificate's issuer name) one certificate may have. Real PKIs have a handful (a root and
    /// its cross-signs); thousands sharing one name are an attack on path building.
    pub max_issuer_candidates: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_signature_checks: 100,
            max_path_steps: 200_000,
            max_intermediates: 10,
            max_chain_certificates: 256,
            max_name_constraint_checks: 250_000,
            max_issuer_candidates: 64,
        }
    }
}

/// The inputs of one verification besides the certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// Verification time, Unix seconds.
    pub time: u64,
    /// The host name or IP address the leaf must cover, if any.
    pub name: Option<ServerName>,
    /// The purpose; it sets the default required EKU.
    pub purpose: Purpose,
    /// Required EKUs overriding the purpose's default (any one of them suffices).
    pub required_ekus: Option<Vec<ObjectIdentifier>>,
    /// The rule set.
    pub profile: Profile,
    /// Minimum RSA modulus size in bits.
    pub min_rsa_bits: u32,
    /// Work bounds.
    pub limits: Limits,
    /// Certificate revocation lists to check the path against (none = no revocation checking).
    pub crls: Vec<crate::crl::Crl>,
}

impl Policy {
    /// A server-authentication policy at `time` (Unix seconds), with no host name.
    pub fn new(time: u64) -> Policy {
        Policy {
            time,
            name: None,
            purpose: Purpose::ServerAuth,
            required_ekus: None,
            profile: Profile::WebPki,
            min_rsa_bits: 2048,
            limits: Limits::default(),
            crls: Vec::new(),
        }
    }

    /// Check the path against these CRLs.
    pub fn with_crls(mut self, crls: Vec<crate::crl::Crl>) -> Policy {
        self.crls = crls;
        self
    }

    /// The default WebPKI policy (CA/Browser Forum rules on top of RFC 5280) at time 0; set the
    /// time with [`Policy::at`].
    pub fn webpki() -> Policy {
        Policy::new(0)
    }

    /// The RFC 5280 policy, for private PKIs, at time 0; set the time with [`Policy::at`].
    pub fn rfc5280() -> Policy {
        Policy::new(0).with_profile(Profile::Rfc5280)
    }

    /// Set the verification time (Unix seconds).
    pub fn at(mut self, time: u64) -> Policy {
        self.time = time;
        self
    }

    /// Check the leaf against this host name or IP address.
    pub fn with_name(mut self, name: crate::name::ServerName) -> Policy {
        self.name = Some(name);
        self
    }

    /// Set the purpose.
    pub fn with_purpose(mut self, purpose: Purpose) -> Policy {
        self.purpose = purpose;
        self
    }

    /// Require one of these EKUs instead of the purpose's default.
    pub fn with_required_ekus(mut self, ekus: Vec<ObjectIdentifier>) -> Policy {
        self.required_ekus = Some(ekus);
        self
    }

    /// Set the profile.
    pub fn with_profile(mut self, profile: Profile) -> Policy {
        self.profile = profile;
        self
    }

    /// Set the work bounds.
    pub fn with_limits(mut self, limits: Limits) -> Policy {
        self.limits = limits;
        self
    }

    /// The EKUs the leaf must carry one of (empty = no requirement).
    pub fn effective_ekus(&self) -> Vec<ObjectIdentifier> {
        match &self.required_ekus {
            Some(v) => v.clone(),
            None => self.purpose.eku().into_iter().collect(),
        }
    }
}
