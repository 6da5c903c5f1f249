/**
 * The recorded STS bodies of test/fixtures/<operation>/<name>.xml as string constants, so the portable suite can
 * use them on runtimes without a filesystem (workerd). Generated once from those files; if a
 * fixture changes, regenerate (each constant is the file's exact text).
 */

/** test/fixtures/assume-role/minimal.xml */
export const ASSUME_ROLE_MINIMAL_XML = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:batch-job-42</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/batch-job-42</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAV3ZUEFP6EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>7f1b0c2e-3a4d-4b5e-8f6a-9b0c1d2e3f40</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`;

/** test/fixtures/assume-role/success.xml */
export const ASSUME_ROLE_XML = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>DevUser123</SourceIdentity>
    <AssumedRoleUser>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:batch-job-42</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/batch-job-42</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAV3ZUEFP6EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
    <PackedPolicySize>8</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`;

/** test/fixtures/assume-role-with-saml/minimal.xml */
export const ASSUME_ROLE_WITH_SAML_MINIMAL_XML = `<AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithSAMLResult>
    <Credentials>
      <AccessKeyId>ASIAV3ZUEFP6EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROAV3ZUEFP6EXAMPLE:SamlExample</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/TestSaml/SamlExample</Arn>
    </AssumedRoleUser>
  </AssumeRoleWithSAMLResult>
  <ResponseMetadata>
    <RequestId>0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e</RequestId>
  </ResponseMetadata>
</AssumeRoleWithSAMLResponse>
`;

/** test/fixtures/assume-role-with-saml/success.xml */
export const ASSUME_ROLE_WITH_SAML_XML = `<AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithSAMLResult>
    <Credentials>
      <AccessKeyId>ASIAV3ZUEFP6EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROAV3ZUEFP6EXAMPLE:SamlExample</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/TestSaml/SamlExample</Arn>
    </AssumedRoleUser>
    <PackedPolicySize>6</PackedPolicySize>
    <Subject>SamlExample</Subject>
    <SubjectType>transient</SubjectType>
    <Issuer>https://integ.example.com/idp/shibboleth</Issuer>
    <Audience>https://signin.aws.amazon.com/saml</Audience>
    <NameQualifier>SbdGOnUkh1i4+EXAMPLExL/jEvs=</NameQualifier>
    <SourceIdentity>SamlUser@example.com</SourceIdentity>
  </AssumeRoleWithSAMLResult>
  <ResponseMetadata>
    <RequestId>6a1f7b3c-9d2e-4f5a-8b6c-7d8e9f0a1b2c</RequestId>
  </ResponseMetadata>
</AssumeRoleWithSAMLResponse>
`;

/** test/fixtures/assume-role-with-web-identity/minimal.xml */
export const ASSUME_ROLE_WITH_WEB_IDENTITY_MINIMAL_XML = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAV3ZUEFP6EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>5c4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e1f</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
`;

/** test/fixtures/assume-role-with-web-identity/success.xml */
export const ASSUME_ROLE_WITH_WEB_IDENTITY_XML = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>repo:acme/web:ref:refs/heads/main</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:gha-deploy</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/gha-deploy</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAV3ZUEFP6EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
    <SourceIdentity>octocat</SourceIdentity>
    <Provider>arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com</Provider>
    <PackedPolicySize>123</PackedPolicySize>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
`;

/** test/fixtures/assume-root/minimal.xml */
export const ASSUME_ROOT_MINIMAL_XML = `<AssumeRootResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRootResult>
    <Credentials>
      <AccessKeyId>ASIAQWERTYUIOP123456</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
  </AssumeRootResult>
  <ResponseMetadata>
    <RequestId>3e8c0d2f-5a7b-4c9d-0e1f-2a3b4c5d6e7f</RequestId>
  </ResponseMetadata>
</AssumeRootResponse>
`;

/** test/fixtures/assume-root/success.xml */
export const ASSUME_ROOT_XML = `<AssumeRootResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRootResult>
    <Credentials>
      <AccessKeyId>ASIAQWERTYUIOP123456</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
    <SourceIdentity>root-task-auditor</SourceIdentity>
  </AssumeRootResult>
  <ResponseMetadata>
    <RequestId>2f7b9c1d-4e6a-4b8c-9d0e-1f2a3b4c5d6e</RequestId>
  </ResponseMetadata>
</AssumeRootResponse>
`;

/** test/fixtures/decode-authorization-message/success.xml */
export const DECODE_AUTHORIZATION_MESSAGE_XML = `<DecodeAuthorizationMessageResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <DecodeAuthorizationMessageResult>
    <DecodedMessage>{&quot;allowed&quot;:false,&quot;explicitDeny&quot;:false,&quot;matchedStatements&quot;:{&quot;items&quot;:[]},&quot;failures&quot;:{&quot;items&quot;:[]},&quot;context&quot;:{&quot;principal&quot;:{&quot;id&quot;:&quot;AIDACKCEVSQ6C2EXAMPLE&quot;,&quot;name&quot;:&quot;Bob&quot;,&quot;arn&quot;:&quot;arn:aws:iam::123456789012:user/Bob&quot;},&quot;action&quot;:&quot;ec2:StopInstances&quot;,&quot;resource&quot;:&quot;arn:aws:ec2:us-east-1:123456789012:instance/i-dd01c9bd&quot;,&quot;conditions&quot;:{&quot;items&quot;:[{&quot;key&quot;:&quot;ec2:Tenancy&quot;,&quot;values&quot;:{&quot;items&quot;:[{&quot;value&quot;:&quot;default&quot;}]}},{&quot;key&quot;:&quot;aws:Referer&quot;,&quot;values&quot;:{&quot;items&quot;:[{&quot;value&quot;:&quot;https://example.com/?a=1&amp;b=2&quot;}]}}]}}}</DecodedMessage>
  </DecodeAuthorizationMessageResult>
  <ResponseMetadata>
    <RequestId>9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d</RequestId>
  </ResponseMetadata>
</DecodeAuthorizationMessageResponse>
`;

/** test/fixtures/get-access-key-info/success.xml */
export const GET_ACCESS_KEY_INFO_XML = `<GetAccessKeyInfoResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetAccessKeyInfoResult>
    <Account>111122223333</Account>
  </GetAccessKeyInfoResult>
  <ResponseMetadata>
    <RequestId>1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a</RequestId>
  </ResponseMetadata>
</GetAccessKeyInfoResponse>
`;

/** test/fixtures/get-caller-identity/success.xml */
export const GET_CALLER_IDENTITY_XML = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::123456789012:assumed-role/my-role-name/my-role-session-name</Arn>
    <UserId>AROAJL4EWJRZHJC7CBIK4:my-role-session-name</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`;

/** test/fixtures/get-delegated-access-token/minimal.xml */
export const GET_DELEGATED_ACCESS_TOKEN_MINIMAL_XML = `<GetDelegatedAccessTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetDelegatedAccessTokenResult>
    <Credentials>
      <AccessKeyId>ASIAV3ZUEFP6EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
  </GetDelegatedAccessTokenResult>
  <ResponseMetadata>
    <RequestId>5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f</RequestId>
  </ResponseMetadata>
</GetDelegatedAccessTokenResponse>
`;

/** test/fixtures/get-delegated-access-token/success.xml */
export const GET_DELEGATED_ACCESS_TOKEN_XML = `<GetDelegatedAccessTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetDelegatedAccessTokenResult>
    <Credentials>
      <AccessKeyId>ASIAV3ZUEFP6EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
    <PackedPolicySize>12</PackedPolicySize>
    <AssumedPrincipal>arn:aws:sts::111122223333:assumed-role/PartnerDelegatedAccess/acme-support</AssumedPrincipal>
  </GetDelegatedAccessTokenResult>
  <ResponseMetadata>
    <RequestId>4b5c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d7e</RequestId>
  </ResponseMetadata>
</GetDelegatedAccessTokenResponse>
`;

/** test/fixtures/get-federation-token/minimal.xml */
export const GET_FEDERATION_TOKEN_MINIMAL_XML = `<GetFederationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetFederationTokenResult>
    <Credentials>
      <AccessKeyId>ASIAV3ZUEFP6EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
    <FederatedUser>
      <Arn>arn:aws:sts::123456789012:federated-user/Bob</Arn>
      <FederatedUserId>123456789012:Bob</FederatedUserId>
    </FederatedUser>
  </GetFederationTokenResult>
  <ResponseMetadata>
    <RequestId>d7215dcf-b042-11e0-9265-dcd8ddf907d9</RequestId>
  </ResponseMetadata>
</GetFederationTokenResponse>
`;

/** test/fixtures/get-federation-token/success.xml */
export const GET_FEDERATION_TOKEN_XML = `<GetFederationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetFederationTokenResult>
    <Credentials>
      <AccessKeyId>ASIAV3ZUEFP6EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
    <FederatedUser>
      <Arn>arn:aws:sts::123456789012:federated-user/Bob</Arn>
      <FederatedUserId>123456789012:Bob</FederatedUserId>
    </FederatedUser>
    <PackedPolicySize>8</PackedPolicySize>
  </GetFederationTokenResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c8</RequestId>
  </ResponseMetadata>
</GetFederationTokenResponse>
`;

/** test/fixtures/get-session-token/success.xml */
export const GET_SESSION_TOKEN_XML = `<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetSessionTokenResult>
    <Credentials>
      <AccessKeyId>ASIAV3ZUEFP6EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz//////////wEaCWV1LXdlc3QtMSJHMEUCIQDg2nCgQ9m+7sVbZr8JXhGQwS1eZ0w2Tm4pq5UW7RrYVAIgP3bX0Ln7tXk2mQ9r5lYb8p1nGq3hW0eQJv1xY9Kp6c4qmQIIzP//////////ARAAGgwxMjM0NTY3ODkwMTIiDB5f3k9nZ4w8m2YqEiqGAtB1Yv7vXq3w2C0Uq8d9+3ZkTj9cQ7lLk0QfU2W8pZ5rZQ0w3sC1mE8bV2tJkXo6yY1N4hR7gF9aPq0dE3sL5uW8cT2iB6vO1xK4jM7zH9nG0fS3aD5eR8yU2wQ1tI6oP4lA7kJ9hB0gC3vN5mX8zE==</SessionToken>
      <Expiration>2026-11-22T20:15:00Z</Expiration>
    </Credentials>
  </GetSessionTokenResult>
  <ResponseMetadata>
    <RequestId>58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId>
  </ResponseMetadata>
</GetSessionTokenResponse>
`;

/** test/fixtures/get-web-identity-token/success.xml */
export const GET_WEB_IDENTITY_TOKEN_XML = `<GetWebIdentityTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetWebIdentityTokenResult>
    <WebIdentityToken>eyJraWQiOiJzdHMtZXUtd2VzdC0xLTIwMjYiLCJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOlsiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iXSwic3ViIjoiYXJuOmF3czppYW06OjEyMzQ1Njc4OTAxMjpyb2xlL2FwcCIsImlzcyI6Imh0dHBzOi8vc3RzLmV1LXdlc3QtMS5hbWF6b25hd3MuY29tIiwiZXhwIjoxNzk1NDQ2OTAwfQ.Q2hhbmdlTWVfc2lnbmF0dXJlX2V4YW1wbGVfb25seV9ub3RfcmVhbF9kYXRhX2Zvcl90ZXN0cw</WebIdentityToken>
    <Expiration>2026-11-22T20:15:00Z</Expiration>
  </GetWebIdentityTokenResult>
  <ResponseMetadata>
    <RequestId>e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b</RequestId>
  </ResponseMetadata>
</GetWebIdentityTokenResponse>
`;
